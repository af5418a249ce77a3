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
#include <string>
#include <vector>

#include "coordinator/engine/module.hpp"
#include "coordinator/traffic/traffic_args.hpp"
#include "coordinator/traffic/traffic_schedule.hpp"

namespace mixnet::coord {

// What a step will run: the tests, in rounds, and the pairs it will not run (with why).
struct TrafficPlan {
  std::vector<TrafficTest> tests;
  std::vector<std::vector<std::size_t>> rounds;   // indices into tests
  struct Skip {
    TrafficTest test;
    std::string why;
  };
  std::vector<Skip> skipped;
  std::string label;                              // "topology mesh", "3 pairs", "switch eps1"
};

// The plan for resolved arguments. Errors name the argument (no topology applied and none named).
Result<TrafficPlan> plan_traffic(const TrafficRunArgs& args, const Inventory& inventory, const TopologySet& topologies,
                                 const RunState& state);

class TrafficRunModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "traffic.run"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
