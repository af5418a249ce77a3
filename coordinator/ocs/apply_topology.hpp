#pragma once
// The one switch loop: drive every OCS switch the inventory cables to a topology's
// cross-connects. ocs.apply turns its outcome into items and step data; measure.reconfig into
// each repetition's command and acknowledgement times.
//
// Every switch at once, each on its own thread (a region's switch that is slow or fails holds up
// or fails only its own circuits). Per switch: read what it holds, plan (apply_plan.hpp: only the inventory's
// ports are touched), send the plan's change set (replace: the disconnects, then the connects),
// and report what happened, typed. Taking the switch's lease and opening its driver is the
// pool's (switch_pool.hpp).
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/ocs/apply_plan.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord {

struct Inventory;
struct ResolvedCircuit;
struct Topology;
class SwitchPool;

// Where a switch's turn ended in failure.
enum class SwitchApplyStage {
  cancelled,   // the run was cancelled before the switch was touched
  cabling,     // the inventory leaves ports on the switch without their map: which switch ports
               // are ours is unknown, so it was not touched (Cause::cabling_unmapped)
  open,        // the pool could not hand out the switch (lease held elsewhere, bad URI ...)
  list,        // reading its cross-connects failed
  apply,       // a change set failed (in replace mode the disconnects may be in place)
};

// One topology circuit through the switch, and what the plan does to it.
struct CircuitOnSwitch {
  const ResolvedCircuit* circuit = nullptr;   // points into the topology given to apply_topology
  std::vector<ocs::CrossConnect> to_make;     // its cross-connects the plan makes (empty: in place)
};

struct SwitchApplyFailure {
  SwitchApplyStage stage = SwitchApplyStage::apply;
  // Names the switch: "switch ocs0: list cross-connects: ...", "switch ocs0: apply: ...",
  // "switch ocs0: cancelled before the switch was touched", "switch ocs0: no cabling map for
  // h2:ocs1 (...)"; the pool's own error for `open`.
  Error error;
};

struct SwitchApplyOutcome {
  std::string switch_name;
  // The topology's circuits through this switch: they all fail when the switch fails.
  std::vector<CircuitOnSwitch> circuits;
  std::optional<ApplyPlan> plan;        // absent when the switch was not read
  // Every change set sent, from the first send to the last acknowledgement. Absent when nothing
  // was sent (nothing to change, plan only) or a change set failed.
  std::optional<ocs::Timing> timing;
  std::optional<SwitchApplyFailure> failure;

  [[nodiscard]] bool ok() const { return !failure; }
};

struct ApplyTopologyOptions {
  ApplyMode mode = ApplyMode::fewest_changes;
  bool plan_only = false;         // check mode: read and plan every switch, send nothing
  // Checked before each switch is touched: once set, a switch not yet touched fails untouched
  // (stage cancelled).
  const std::atomic<bool>* cancel = nullptr;
  // Sees each switch's outcome the moment its turn ends (to record items while others are still
  // driven); called for one switch at a time, from the thread that drove it.
  std::function<void(const SwitchApplyOutcome&)> on_switch;
};

struct TopologyApplyResult {
  // Every cabled switch (of the topology's region, when it has one), in inventory order (they are
  // driven at once).
  std::vector<SwitchApplyOutcome> switches;

  [[nodiscard]] const SwitchApplyOutcome* first_failure() const;
  // The switch's times when change sets were sent to it and acknowledged; nullptr otherwise.
  [[nodiscard]] const ocs::Timing* timing_of(const std::string& switch_name) const;
};

TopologyApplyResult apply_topology(const Topology& topology, const Inventory& inventory, SwitchPool& pool,
                                   const ApplyTopologyOptions& options);

}  // namespace mixnet::coord
