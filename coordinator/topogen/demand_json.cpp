// The JSON forms of a demand matrix (docs/topologies.md, "Demand"): host x host bytes, or expert x
// expert tokens with a placement of experts on hosts.
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "coordinator/topogen/demand_json_fields.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::topogen {

namespace {

using nlohmann::json;

class DemandJsonReader : public DemandJsonFields {
 public:
  using DemandJsonFields::DemandJsonFields;

  Result<DemandMatrix> host_form(const json& root) const {
    for (const auto& [k, v] : root.items()) {
      if (k != "hosts" && k != "bytes") return error(k, "unknown key (the host form has hosts, bytes)");
    }
    DemandMatrix m;
    m.source = source();
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
    auto header = expert_header(root);
    if (!header) return std::unexpected(header.error());
    auto tokens = square(root, "tokens", header->placement.size());
    if (!tokens) return std::unexpected(tokens.error());
    header->tokens = std::move(*tokens);
    return demand_from_expert_tokens(*header, source());
  }
};

}  // namespace

DemandMatrix demand_from_expert_tokens(const ExpertTokens& experts, std::string source) {
  DemandMatrix m;
  m.source = std::move(source);
  const std::size_t n = experts.placement.size();
  std::vector<std::size_t> host_of(n);
  for (std::size_t e = 0; e < n; ++e) {
    auto i = m.index_of(experts.placement[e]);
    if (i == DemandMatrix::npos) {
      i = m.hosts.size();
      m.hosts.push_back(experts.placement[e]);
    }
    host_of[e] = i;
  }
  m.bytes.assign(m.hosts.size(), std::vector<double>(m.hosts.size(), 0.0));
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      const double bytes = experts.tokens[a][b] * experts.bytes_per_token;
      if (host_of[a] == host_of[b]) m.intra_host_bytes += bytes;
      else m.bytes[host_of[a]][host_of[b]] += bytes;
    }
  }
  return m;
}

Result<DemandMatrix> parse_demand_json(std::string_view text, const std::string& display_name) {
  const DemandJsonReader reader(display_name);
  auto parsed = reader.parse_object(text, "matrix", "hosts and bytes, or experts, placement, bytes_per_token and tokens");
  if (!parsed) return std::unexpected(parsed.error());
  const json& root = *parsed;
  if (root.contains("layers")) return reader.error("layers", "a MoE trace, not one demand: pick a layer (topology generate --layer N; docs/topologies.md, \"MoE traces\")");
  if (root.contains("experts")) return reader.expert_form(root);
  if (root.contains("hosts")) return reader.host_form(root);
  return reader.error("matrix", "expected hosts and bytes, or experts, placement, bytes_per_token and tokens");
}

}  // namespace mixnet::coord::topogen
