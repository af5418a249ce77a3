#pragma once
// measure.reconfig: where the time of an OCS reconfiguration goes, per repetition and per port,
// with an honest uncertainty, and (in the lab) proven against the emulator's ground truth.
//   topologies: [A, B, ...]   required, at least two: repetition r switches to topologies[r % n]
//                             (so with the first one applied beforehand, r=1 goes A -> B)
//   repetitions: N            default 5 (1..10000)
//   deadline: S               per repetition: every link of the new topology verified by then (default 30)
//   settle: S                 after the links verified, wait this long before reading the journals,
//                             so late flaps land in their repetition (default 0.2); a cancel cuts
//                             it short and ends the measurement after that repetition
//   clock_samples: K          GET /v1/clock round trips per agent, before and after (default 16)
//   ground_truth: true|false  check against the switch's ground_truth when the inventory has one (default true)
//   truth_bound_ms: X         |measured - truth| p99 bound per segment (default 1)
//   identity_probe: at_link_up|after_all_up   probe each link as soon as both its ends are up
//                             (default), or once every changing port is up (see docs/measurement.md)
//   traffic: false            traffic timelines (not wired in this build; see docs/measurement.md)
//
// Per repetition: every OCS switch is driven to the next topology in one change set (the driver's
// Timing gives command sent / switch acknowledged), every link of that topology is verified with
// the identity probe (links.verify's engine: long-polls the journals, probe confirmation times),
// then each agent's event journal is read from our own cursor for the carrier events. Clocks are
// aligned from round trips taken before the first repetition (and checked again after the last).
// docs/measurement.md has the method; coordinator/measure/ the arithmetic; coordinator/reconfig/reconfig_run.hpp
// the phases of a repetition.
//
// Items: one per measured port and repetition (kind "port", id "h1:ocs0 #3"): ok when the link
// came up and its identity was confirmed, failed otherwise; data holds every moment and segment.
// Step data: the measurement document (docs/measurement.md, "results.json"). The run folder gets
// measurement.json, measurement.csv and report.html; the step message ends with the summary table.
// The step fails when a port failed, or when the ground-truth check fails.
#include "coordinator/engine/module.hpp"
#include "coordinator/reconfig/reconfig_changes.hpp"   // changing_ports

namespace mixnet::coord {

class MeasureReconfigModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "measure.reconfig"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
