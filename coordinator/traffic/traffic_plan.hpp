#pragma once
// What a traffic.run step will run, worked out before anything is sent: the tests (one per
// circuit or pair, in one or both directions), the rounds they run in, and the pairs it will not
// run (with why). Pure: reads the arguments, the inventory, the topologies and what ocs.apply
// applied; no I/O. Also what check mode says about a plan, and the plan's part of the step data.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/engine/module.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/traffic/traffic_args.hpp"
#include "coordinator/traffic/traffic_schedule.hpp"

namespace mixnet::coord {

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

// "2 s of tcp, 4 stream(s)": how much each test sends.
std::string describe_amount(const TrafficRunArgs& args);

// The step data every run starts with: the arguments as resolved, the label and the rounds (by
// test id).
nlohmann::json plan_data(const TrafficRunArgs& args, const TrafficPlan& plan);

// Check mode: one skipped item per planned test, saying what it would send in which round.
std::vector<ItemResult> would_run_items(const TrafficPlan& plan, const TrafficRunArgs& args, const Inventory& inventory);

// The skipped pairs as items (kind and id of the test, the reason as message).
std::vector<ItemResult> skipped_items(const TrafficPlan& plan);

}  // namespace mixnet::coord
