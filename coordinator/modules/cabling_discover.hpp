#pragma once
// cabling.discover: learns which switch input each NIC port's transmitter feeds and which output
// feeds its receiver (NxM), or its one port (any-to-any), from real signals only: the switches'
// input power (NIC transmitters switched on and off in patterns, power sweeps of the whole switch per round),
// loopback circuits and the neighbours the agents hear (docs/cabling.md). `mixnet-coord cabling
// discover` runs it as a one-step run.
//   switch: NAME        only the ports cabled to this OCS (default: every OCS the inventory cables)
//   out: PATH           write the inventory with the found map there (absolute; never the input)
//   link_timeout: S     how long a looped-back port may take to come up, 0.05..600 (default 3)
//   settle_ms: MS       between switching transmitters and reading power, 0..60000 (default 100)
// Items: one per NIC port (kind "port", id "h1:ocs0"): ok (found; as the inventory says, or the
// inventory had no map), miswired (found elsewhere: "inventory says in 5/out 21, found in 7/out
// 23"), dark (no light of it reached the switch, or no output brought it back), unreachable (its
// agent did not answer, or does not manage it), failed (the switch failed, or the readings
// contradict each other). Step data: per switch the rounds, switch operations, power reads and
// seconds; the found map. The switches' circuits and the ports' admin states are put back.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class CablingDiscoverModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "cabling.discover"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
