#pragma once
// ocs.power: read every cabled port's optical power on every OCS switch and judge it against the
// inventory's thresholds (docs/health/power.md).
//   switch: NAME    optional: one OCS switch (default: every OCS switch the inventory cables)
// Meant to run while a cover topology is applied (ocs.apply before it): an output port carries
// light only while a circuit feeds it, so a port no circuit uses is reported but not judged.
// Per switch, in parallel: one list() (the circuits in place) and one power() call for all its
// cabled ports; a switch that fails or does not answer by the step's deadline makes each of its
// ports unknown, never drops them. The judgement is coordinator/health/optical_power.hpp.
// Items: one per cabled OCS port (kind "ocs_port", id "ocs1/17", counted against the host of the
// NIC port cabled there): ok (warnings too, with the warning as message), dark, or failed (below
// a threshold, too much loss, unreadable); data: nic_port, role, dbm, path_loss_db, circuit_peer,
// severity. Every observation and finding also goes to the run's health ledger.
// Check mode reads the switches as well: reading power changes nothing.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class OcsPowerModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "ocs.power"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
