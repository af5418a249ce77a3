#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "coordinator/measure/report_format.hpp"
#include "coordinator/measure/reports.hpp"

namespace mixnet::coord::measure {

using detail::csv_field;

namespace {

std::string line(const std::vector<std::string>& cells) {
  std::vector<std::string> quoted;
  quoted.reserve(cells.size());
  for (const auto& c : cells) quoted.push_back(csv_field(c));
  return fmt::format("{}\n", fmt::join(quoted, ","));
}

std::string gbps(const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : std::string(); }

}  // namespace

std::string render_csv(const Measurement& m) {
  std::vector<std::string> header = {"repetition", "port", "from_topology", "to_topology"};
  for (auto name : kMomentNames) {
    header.push_back(fmt::format("{}_ns", name));
    header.push_back(fmt::format("{}_uncertainty_ns", name));
  }
  for (const auto& s : kSegments) {
    header.push_back(fmt::format("{}_ms", s.name));
    header.push_back(fmt::format("{}_uncertainty_ms", s.name));
    header.push_back(fmt::format("{}_status", s.name));
  }
  header.push_back("flaps");
  header.push_back("switch_recoveries");
  header.push_back("reference_gbps");
  for (std::size_t i = 0; i < kSegmentCount; ++i) {
    if (!segment_has_truth(i)) continue;
    header.push_back(fmt::format("{}_truth_ms", kSegments[i].name));
    header.push_back(fmt::format("{}_error_ms", kSegments[i].name));
  }
  header.push_back("notes");
  std::string out = line(header);

  for (const auto& row : m.rows) {
    const auto& b = row.measured;
    std::vector<std::string> cells = {std::to_string(b.repetition), b.port, b.from_topology, b.to_topology};
    std::vector<std::string> notes;
    for (std::size_t i = 0; i < kMomentCount; ++i) {
      const auto& mv = b.moments[i];
      cells.push_back(mv.at ? std::to_string(mv.at->ns) : "");
      cells.push_back(mv.at ? std::to_string(mv.at->uncertainty_ns) : "");
      if (!mv.at) notes.push_back(fmt::format("{}: {}", kMomentNames[i], mv.missing_reason));
    }
    for (std::size_t i = 0; i < kSegmentCount; ++i) {
      const auto& s = b.segments[i];
      const bool has_value = s.status != SegmentStatus::missing;
      cells.push_back(has_value ? detail::ms(s.ns) : "");
      cells.push_back(has_value ? detail::ms(s.uncertainty_ns) : "");
      cells.push_back(std::string(to_string(s.status)));
      if (s.status == SegmentStatus::inconsistent) notes.push_back(fmt::format("{}: {}", kSegments[i].name, s.reason));
    }
    cells.push_back(std::to_string(b.flaps));
    cells.push_back(std::to_string(b.switch_recovery.count));
    if (b.switch_recovery.count > 0)
      notes.push_back(fmt::format("switch session recovered ({}x){}: {}", b.switch_recovery.count,
                                  b.switch_recovery.ack_is_read_back ? ", switch_ack is a read-back, not the reply" : "",
                                  b.switch_recovery.cause));
    cells.push_back(gbps(b.reference_gbps));
    for (std::size_t i = 0; i < kSegmentCount; ++i) {
      if (!segment_has_truth(i)) continue;
      const bool truth_ok = row.truth && row.truth->truth_segments[i].status != SegmentStatus::missing;
      cells.push_back(truth_ok ? detail::ms(row.truth->truth_segments[i].ns) : "");
      cells.push_back(row.truth ? detail::ms(row.truth->error_ns[i]) : "");
    }
    cells.push_back(fmt::format("{}", fmt::join(notes, "; ")));
    out += line(cells);
  }
  return out;
}

}  // namespace mixnet::coord::measure
