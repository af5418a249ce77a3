#pragma once
// measure.reconfig's arguments (measure_reconfig.hpp lists them), checked.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/traffic/reconfig_traffic.hpp"

namespace mixnet::coord {

struct Topology;
class TopologySet;

struct ReconfigArgs {
  std::vector<const Topology*> topologies;
  int repetitions = 5;
  double deadline_s = 30;
  double settle_s = 0.2;
  int clock_samples = 16;
  bool ground_truth = true;
  double truth_bound_ms = 1.0;
  // Probe each link the moment both its ends are up (identity as soon as possible), or only once
  // every changing port is up: the probes' HTTP work then cannot delay an agent's reading of a
  // later carrier event (one event loop per agent), at the price of link_up_to_identity including
  // the wait for the slowest port.
  bool probe_after_all_up = false;
  ReconfigTrafficArgs traffic;   // timeline streams over each new circuit (coordinator/traffic/reconfig_traffic.hpp)

  // "reconfig-latency: A <-> B", the measurement's title.
  [[nodiscard]] std::string title() const;
};

// check_topologies false (load time): arguments holding templates are left for run time.
// Errors name the argument.
Result<ReconfigArgs> parse_reconfig_args(const nlohmann::json& args, const TopologySet& set, bool check_topologies);

}  // namespace mixnet::coord
