// The JSON forms of a demand matrix (docs/topologies.md, "Demand"): host x host bytes, or expert x
// expert tokens with a placement of experts on hosts.
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::topogen {

namespace {

using nlohmann::json;

class DemandJsonReader {
 public:
  explicit DemandJsonReader(std::string source) : source_(std::move(source)) {}

  std::unexpected<Error> error(const std::string& key, const std::string& message) const {
    return fail(Errc::invalid_argument, fmt::format("{}: {}: {}", source_, key, message), key);
  }

  Result<double> non_negative(const json& value, const std::string& key) const {
    if (!value.is_number()) return error(key, fmt::format("expected a number, got {}", value.dump()));
    const double v = value.get<double>();
    if (!std::isfinite(v) || v < 0) return error(key, fmt::format("{} is not a finite, non-negative number", value.dump()));
    return v;
  }

  // A square matrix of non-negative numbers, `n` x `n`.
  Result<std::vector<std::vector<double>>> square(const json& root, const std::string& key, std::size_t n) const {
    if (!root.contains(key) || !root[key].is_array()) return error(key, fmt::format("expected an array of {} rows", n));
    const auto& rows = root[key];
    if (rows.size() != n) return error(key, fmt::format("{} rows, expected {}", rows.size(), n));
    std::vector<std::vector<double>> out(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i) {
      const auto row_key = fmt::format("{}[{}]", key, i);
      if (!rows[i].is_array() || rows[i].size() != n) return error(row_key, fmt::format("expected an array of {} numbers", n));
      for (std::size_t j = 0; j < n; ++j) {
        auto v = non_negative(rows[i][j], fmt::format("{}[{}]", row_key, j));
        if (!v) return std::unexpected(v.error());
        out[i][j] = *v;
      }
    }
    return out;
  }

  Result<std::vector<std::string>> names(const json& root, const std::string& key) const {
    if (!root.contains(key) || !root[key].is_array()) return error(key, "expected an array of host names");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < root[key].size(); ++i) {
      const auto& v = root[key][i];
      if (!v.is_string() || v.get<std::string>().empty()) return error(fmt::format("{}[{}]", key, i), "expected a host name");
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  Result<DemandMatrix> host_form(const json& root) const {
    for (const auto& [k, v] : root.items()) {
      if (k != "hosts" && k != "bytes") return error(k, "unknown key (the host form has hosts, bytes)");
    }
    DemandMatrix m;
    m.source = source_;
    auto hosts = names(root, "hosts");
    if (!hosts) return std::unexpected(hosts.error());
    std::set<std::string> seen;
    for (std::size_t i = 0; i < hosts->size(); ++i) {
      if (!seen.insert((*hosts)[i]).second) return error(fmt::format("hosts[{}]", i), fmt::format("host '{}' named twice", (*hosts)[i]));
    }
    if (hosts->empty()) return error("hosts", "names no host");
    auto bytes = square(root, "bytes", hosts->size());
    if (!bytes) return std::unexpected(bytes.error());
    m.hosts = std::move(*hosts);
    m.bytes = std::move(*bytes);
    for (std::size_t i = 0; i < m.hosts.size(); ++i) {
      m.intra_host_bytes += m.bytes[i][i];
      m.bytes[i][i] = 0;
    }
    return m;
  }

  Result<DemandMatrix> expert_form(const json& root) const {
    for (const auto& [k, v] : root.items()) {
      if (k != "experts" && k != "placement" && k != "bytes_per_token" && k != "tokens") {
        return error(k, "unknown key (the expert form has experts, placement, bytes_per_token, tokens)");
      }
    }
    if (!root["experts"].is_number_integer() || root["experts"].get<long long>() < 1) return error("experts", "expected a positive integer");
    const auto experts = static_cast<std::size_t>(root["experts"].get<long long>());
    auto placement = names(root, "placement");
    if (!placement) return std::unexpected(placement.error());
    if (placement->size() != experts) return error("placement", fmt::format("{} hosts for {} experts: one host per expert", placement->size(), experts));
    if (!root.contains("bytes_per_token")) return error("bytes_per_token", "missing");
    auto per_token = non_negative(root["bytes_per_token"], "bytes_per_token");
    if (!per_token) return std::unexpected(per_token.error());
    auto tokens = square(root, "tokens", experts);
    if (!tokens) return std::unexpected(tokens.error());

    DemandMatrix m;
    m.source = source_;
    std::vector<std::size_t> host_of(experts);
    for (std::size_t e = 0; e < experts; ++e) {
      auto i = m.index_of((*placement)[e]);
      if (i == DemandMatrix::npos) {
        i = m.hosts.size();
        m.hosts.push_back((*placement)[e]);
      }
      host_of[e] = i;
    }
    m.bytes.assign(m.hosts.size(), std::vector<double>(m.hosts.size(), 0.0));
    for (std::size_t a = 0; a < experts; ++a) {
      for (std::size_t b = 0; b < experts; ++b) {
        const double bytes = (*tokens)[a][b] * *per_token;
        if (host_of[a] == host_of[b]) m.intra_host_bytes += bytes;
        else m.bytes[host_of[a]][host_of[b]] += bytes;
      }
    }
    return m;
  }

 private:
  std::string source_;
};

}  // namespace

Result<DemandMatrix> parse_demand_json(std::string_view text, const std::string& display_name) {
  const DemandJsonReader reader(display_name);
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {   // a syntax error, or a number too large for a double
    return fail(Errc::invalid_argument, fmt::format("{}: not JSON: {}", display_name, e.what()), "matrix");
  }
  if (!root.is_object()) return reader.error("matrix", "expected an object with hosts and bytes, or experts, placement, bytes_per_token and tokens");
  if (root.contains("experts")) return reader.expert_form(root);
  if (root.contains("hosts")) return reader.host_form(root);
  return reader.error("matrix", "expected hosts and bytes, or experts, placement, bytes_per_token and tokens");
}

}  // namespace mixnet::coord::topogen
