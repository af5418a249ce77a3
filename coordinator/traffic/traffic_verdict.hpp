#pragma once
// traffic.run's verdicts: each flow judged from its sender's final report against the threshold
// (line rate from the arguments, the agents or the inventory), then one item per test (a circuit
// is as good as its worse direction) and one per port (every flow it sent or received), and the
// step's totals. Pure: reads settled flows, no I/O.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/engine/module.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/traffic/traffic_args.hpp"
#include "coordinator/traffic/traffic_flow.hpp"
#include "coordinator/traffic/traffic_plan.hpp"

namespace mixnet::coord {

// Three significant figures ("9.41", "0.0482", "400"), whole numbers from 1000 up.
std::string fmt_gbps(double g);

// Line rate of a flow: the argument wins; else the slower end's speed as its agent reports it
// (`live_gbps`, read_port_speeds); else the inventory's expect.speed_mbps of the slower end.
void choose_line_rate(Flow& f, const TrafficRunArgs& args, const Inventory& inventory,
                      const std::map<PortRef, double>& live_gbps);

// The verdict of a flow whose sender's report is final (or whose round ran out of time). A flow
// already settled (a call about it failed) keeps its verdict.
void judge(Flow& f, const TrafficRunArgs& args);

// "circuit" or "pair": what the pattern's tests are called.
std::string_view test_noun(TrafficPattern pattern);

// One test's item from its flows (both directions), in round `round` (0-based).
ItemResult test_verdict(const TrafficTest& test, std::size_t round, const std::vector<const Flow*>& flows,
                        const TrafficRunArgs& args);

// One item per port that sent or received, in port order.
std::vector<ItemResult> port_verdicts(const std::vector<Flow>& flows);

// The step's figures, gathered as the items are recorded.
struct TrafficTally {
  std::map<std::string, int> counts;                       // test items per status
  nlohmann::json tests = nlohmann::json::object();          // per test id: status and Gb/s
  nlohmann::json ports = nlohmann::json::object();          // per port: status and lowest Gb/s
  void add_test(const ItemResult& item);
  void add_port(const ItemResult& item);
};

// Adds the tally and the flows' totals to the step's data, and says them in its message.
void finish_step(StepResult& result, const TrafficTally& tally, const std::vector<Flow>& flows, const TrafficPlan& plan,
                 const TrafficRunArgs& args);

}  // namespace mixnet::coord
