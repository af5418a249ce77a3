#pragma once
// measure.replay: MoE traffic replayed on the testbed, layer after layer, the MixNet way and two
// ways to compare it with (docs/topologies.md, "Replaying MoE traffic"):
//   reconfigured  per layer: MixNet's greedy on the layer's demand, applied with the fewest
//                 changes and its links verified (timed: the layer's reconfiguration), then the
//                 layer's bytes sent over its circuits and the electrical ports in parallel;
//   static        one topology, the greedy on the whole trace's demand, set up once (not counted);
//   electrical    every byte through the electrical switch.
// Each layer's completion is timed from its first byte sent to its last byte confirmed, on the
// coordinator's clock. Arguments: replay_args.hpp. Items: one per mode and layer (kind "layer",
// id "reconfigured layer 3"), failed when a flow did not deliver every byte or the topology could
// not be put in place. Step data: replay_report.hpp's JSON (setup, layers, totals, speedups); the
// run folder gets replay.csv, replay.json and replay.html. The step fails when a layer failed.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class MeasureReplayModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "measure.replay"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
