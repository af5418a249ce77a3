#pragma once
// The traffic a topology is generated for (docs/topologies.md, "Demand"): bytes each host sends
// each other host in one step (an MoE layer's all-to-all, a collective), read from a CSV or a
// JSON file, or derived from expert-to-expert token counts and a placement of experts on hosts.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord::topogen {

struct DemandMatrix {
  std::vector<std::string> hosts;            // distinct, in the file's order
  std::vector<std::vector<double>> bytes;    // bytes[i][j]: host i sends to host j; finite, >= 0
  // Expert form only: bytes between experts placed on one host (never on the network; the
  // diagonal of a host x host file is counted here too).
  double intra_host_bytes = 0;
  std::string source;                        // the file it came from, for messages

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  [[nodiscard]] std::size_t index_of(std::string_view host) const;
  // Bytes from `from` to `to` (0 when either is not in the matrix).
  [[nodiscard]] double at(std::string_view from, std::string_view to) const;
  // Every off-diagonal byte: what the network must carry.
  [[nodiscard]] double network_bytes() const;
  // The symmetrised demand over `order` (hosts not in the matrix have none): w[i][j] = w[j][i] =
  // bytes both ways between order[i] and order[j] (MixNet's T + T^T); the diagonal is 0.
  [[nodiscard]] std::vector<std::vector<double>> pair_weights(const std::vector<std::string>& order) const;
};

// CSV: a header row of host names after an empty first cell, then one row per host starting with
// its name (the rows in the header's order). Errors name "FILE:LINE: column C (HOST): ...".
Result<DemandMatrix> parse_demand_csv(std::string_view text, const std::string& display_name);

// MoE expert-to-expert token counts and where each expert lives: the expert form of a demand
// (below) and one layer of a MoE trace (moe_trace.hpp) both become host bytes through
// demand_from_expert_tokens, so the two can never disagree.
struct ExpertTokens {
  std::vector<std::string> placement;              // placement[e]: the host of expert e
  double bytes_per_token = 0;
  std::vector<std::vector<double>> tokens;         // tokens[i][j]: from expert i's GPU to expert j's
};

// tokens[i][j] x bytes_per_token from placement[i] to placement[j]; tokens between experts on the
// same host go to intra_host_bytes. Hosts in order of first appearance in the placement. The
// sizes must agree (placement.size() experts, a square tokens matrix): the readers check them.
DemandMatrix demand_from_expert_tokens(const ExpertTokens& experts, std::string source);

// JSON, either form (errors name the file and the key, e.g. "tokens[2][5]"):
//   {"hosts": ["h1", ...], "bytes": [[...], ...]}
//   {"experts": E, "placement": ["h1", ...], "bytes_per_token": B, "tokens": [[E x E]]}
// The expert form becomes host x host bytes: tokens[i][j] x B from placement[i] to placement[j];
// tokens between experts on the same host go to intra_host_bytes.
Result<DemandMatrix> parse_demand_json(std::string_view text, const std::string& display_name);

// Reads a file: ".csv" as CSV, anything else as JSON.
Result<DemandMatrix> read_demand_file(const std::string& path);

// Every host of the matrix is an inventory host (the error names the first unknown one).
Result<void> check_demand_hosts(const DemandMatrix& demand, const Inventory& inventory);

}  // namespace mixnet::coord::topogen
