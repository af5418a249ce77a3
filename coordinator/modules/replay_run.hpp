#pragma once
// One measure.replay step, phase by phase (measure_replay.hpp says what it measures):
//   prepare   the trace, its layers' demand scaled to the line rate, the hosts, their clocks,
//             the static topology;
//   per mode, per layer (layer()):
//     topology  reconfigured: MixNet's greedy on the layer; static: the one topology; electrical: none
//     switch    apply it with the fewest changes and verify its links, timed (only when it changes)
//     send      the layer's flows (replay_plan.hpp) through the agents, as many at once as they
//               allow (transfer_dispatch.hpp), timed from the first byte sent to the last confirmed
//     item      one per mode and layer, committed at once
//   finish    the totals, the speedups, the reports in the run folder, the verdict.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/engine/module.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/modules/replay_args.hpp"
#include "coordinator/replay/replay_types.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord {

class ReplayRun {
 public:
  ReplayRun(const ReplayArgs& args, StepContext& ctx);

  // Reads and scales the trace, makes the static topology; check mode stops after this.
  Result<void> prepare();
  // What a check run says: the layers, modes and the scale, nothing touched.
  [[nodiscard]] std::string plan_text() const;
  // Every mode, every layer; false when cancelled or out of time (what ran is kept).
  Result<void> replay(AgentPool& agents, SwitchPool& switches);
  StepResult finish();

 private:
  struct SwitchedTo {
    int changes = 0;
    double seconds = 0;
    std::string problem;   // empty: every circuit in place and verified
  };
  Result<void> sample_clocks(AgentPool& agents);
  // What a mode starts from, put in place before its first layer and not counted.
  Result<void> set_up(replay::ReplayMode mode, AgentPool& agents, SwitchPool& switches);
  Result<Topology> layer_topology(replay::ReplayMode mode, std::size_t layer) const;
  SwitchedTo switch_to(const Topology& topology, AgentPool& agents, SwitchPool& switches);
  replay::LayerOutcome run_layer(replay::ReplayMode mode, std::size_t layer, AgentPool& agents, SwitchPool& switches);
  void record(const replay::LayerOutcome& outcome);
  [[nodiscard]] std::int64_t io_deadline() const;

  const ReplayArgs& args_;
  StepContext& ctx_;
  std::vector<topogen::DemandMatrix> layers_;   // scaled
  std::optional<Topology> static_;              // resolved
  std::optional<Topology> in_place_;            // what the switches were last driven to (unknown after a failure)
  replay::ReplayResult result_;
  std::vector<std::string> problems_;
};

}  // namespace mixnet::coord
