// The CSV form of a demand matrix (docs/topologies.md, "Demand"):
//   ,h1,h2
//   h1,0,500
//   h2,200,0
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "common/text.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::topogen {

namespace {

std::vector<std::string> split_csv_line(std::string_view line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    cells.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return cells;
}

// A byte count: a finite, non-negative number.
Result<double> csv_bytes_cell(std::string_view cell) {
  double value = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (cell.empty() || ec != std::errc{} || end != cell.data() + cell.size()) {
    return fail(Errc::invalid_argument, fmt::format("'{}' is not a number", cell));
  }
  if (!std::isfinite(value) || value < 0) return fail(Errc::invalid_argument, fmt::format("{} is not a finite, non-negative byte count", cell));
  return value;
}

}  // namespace

Result<DemandMatrix> parse_demand_csv(std::string_view text, const std::string& display_name) {
  DemandMatrix m;
  m.source = display_name;
  auto error = [&](int line, const std::string& message) {
    return fail(Errc::invalid_argument, fmt::format("{}:{}: {}", display_name, line, message), "matrix");
  };
  int line_no = 0;
  std::size_t rows = 0;
  bool header_seen = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto eol = text.find('\n', pos);
    const auto line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() + 1 : eol + 1;
    ++line_no;
    if (trim_view(line).empty()) continue;
    auto cells = split_csv_line(line);
    if (!header_seen) {
      header_seen = true;
      if (!cells[0].empty()) return error(line_no, fmt::format("the header's first cell must be empty, got '{}'", cells[0]));
      std::set<std::string> seen;
      for (std::size_t c = 1; c < cells.size(); ++c) {
        if (cells[c].empty()) return error(line_no, fmt::format("column {}: empty host name", c + 1));
        if (!seen.insert(cells[c]).second) return error(line_no, fmt::format("column {}: host '{}' named twice", c + 1, cells[c]));
        m.hosts.push_back(cells[c]);
      }
      if (m.hosts.empty()) return error(line_no, "the header names no host");
      m.bytes.assign(m.hosts.size(), std::vector<double>(m.hosts.size(), 0.0));
      continue;
    }
    if (rows == m.hosts.size()) return error(line_no, fmt::format("a row more than the {} hosts of the header", m.hosts.size()));
    if (cells[0] != m.hosts[rows]) {
      return error(line_no, fmt::format("column 1: row {} must be host '{}' (the header's order), got '{}'", rows + 1, m.hosts[rows], cells[0]));
    }
    if (cells.size() != m.hosts.size() + 1) {
      return error(line_no, fmt::format("row {} has {} cells, the header {}", cells[0], cells.size(), m.hosts.size() + 1));
    }
    for (std::size_t c = 1; c < cells.size(); ++c) {
      auto value = csv_bytes_cell(cells[c]);
      if (!value) return error(line_no, fmt::format("column {} ({} -> {}): {}", c + 1, cells[0], m.hosts[c - 1], value.error().message));
      if (c - 1 == rows) m.intra_host_bytes += *value;   // a host to itself: never on the network
      else m.bytes[rows][c - 1] = *value;
    }
    ++rows;
  }
  if (!header_seen) return error(line_no, "empty file: expected a header row of host names");
  if (rows != m.hosts.size()) return error(line_no, fmt::format("{} rows for the {} hosts of the header", rows, m.hosts.size()));
  return m;
}

}  // namespace mixnet::coord::topogen
