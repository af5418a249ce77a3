#pragma once
// ocs.apply: make every OCS switch match a topology's cross-connects.
//   topology: NAME                 required: a topology of the run
//   mode: fewest-changes|replace   fewest-changes (default): keep what is right, break what is
//                                  wrong, make what is missing, in one change set per switch;
//                                  replace: break every connection on the inventory's ports, then
//                                  make the whole topology (two change sets)
// Every OCS switch the inventory cables ports to is made to match (a circuit the topology does not
// name is broken); connections between ports the inventory does not know are left alone.
// Items: one per circuit (kind "circuit", "h1:ocs0-h2:ocs1") with the switch's command and
// acknowledgement times (data t_cmd_ns, t_ack_ns). The step's data holds, per switch, the plan
// (keep / remove / make / foreign) and the times. Check mode reads the switches (no lease, no
// change) and lists the changes. The switch loop itself is coordinator/ocs/apply_topology.hpp.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class OcsApplyModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "ocs.apply"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
