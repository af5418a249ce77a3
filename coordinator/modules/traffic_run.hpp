#pragma once
// traffic.run: test traffic over the current topology through the agents' traffic API
// (docs/playbooks.md, "traffic.run"; the calls in coordinator/agents/traffic_calls.hpp).
//   pattern: circuits | pairs | eps   which ports talk (default circuits)
//   topology: NAME                   circuits: default the topology ocs.apply last applied
//   pairs: [H:P - H:P, ...]          pairs: explicit list
//   switches: [eps1]                 eps: the electrical switches (default every one)
//   direction: a-to-b | b-to-a | both
//   duration: S | bytes: N, streams: N, transport: tcp (default) | rdma | ...
//   threshold: F (0..1 of line rate), line_rate_gbps: G (wins over the ports' speed)
//   timeout: S per test, parallel: N tests at once
// Items: one per circuit/pair (kind circuit or pair, hosts both ends) and one per port (kind
// port), with Gb/s figures in data. Step data: per circuit/pair and per port Gb/s, totals.
// Check mode lists what would run and sends nothing.
// The work is in coordinator/traffic/: arguments, plan, rounds, verdicts; this file puts the
// steps in order.
#include <string_view>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class TrafficRunModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "traffic.run"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
