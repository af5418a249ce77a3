#include "coordinator/ocs/apply_topology.hpp"

#include <mutex>
#include <thread>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/model/unmapped_cabling.hpp"
#include "coordinator/ocs/switch_cabling.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::coord {

namespace {

// The change sets that carry out `plan`: replace breaks everything first, in a change set of its
// own, so no old connection survives into the new topology; fewest-changes sends one.
std::vector<ocs::ChangeSet> change_sets(const ApplyPlan& plan, ApplyMode mode) {
  if (mode != ApplyMode::replace) return {plan.change_set()};
  std::vector<ocs::ChangeSet> sets;
  if (!plan.remove.empty()) sets.push_back(plan.disconnects());
  if (!plan.make.empty()) sets.push_back(plan.connects());
  return sets;
}

std::vector<CircuitOnSwitch> circuits_on(const Topology& topology, const std::string& switch_name) {
  std::vector<CircuitOnSwitch> out;
  for (const auto& rc : topology.resolved) {
    if (rc.switch_name == switch_name) out.push_back({.circuit = &rc, .to_make = {}});
  }
  return out;
}

// Each circuit's cross-connects that the plan makes.
void note_what_is_made(std::vector<CircuitOnSwitch>& circuits, const ApplyPlan& plan) {
  for (auto& c : circuits) {
    for (const auto& cc : c.circuit->cross_connects) {
      for (const auto& m : plan.make) {
        if (same_connection(cc, m)) c.to_make.push_back(cc);
      }
    }
  }
}

// One switch's turn. Stops at the first failure, which it records in `out`.
void apply_to_switch(const Topology& topology, const Inventory& inventory, SwitchPool& pool, const ApplyTopologyOptions& options,
                     SwitchApplyOutcome& out) {
  const std::string& name = out.switch_name;
  if (options.cancel != nullptr && options.cancel->load()) {
    out.failure = {SwitchApplyStage::cancelled,
                   Error{.code = Errc::unavailable, .message = "switch " + name + ": cancelled before the switch was touched"}};
    return;
  }
  // Planning needs every port of ours: a connection on a switch port nobody has mapped would be
  // taken for someone else's and left in place.
  if (const auto unmapped = inventory.unmapped_ocs_ports(name); !unmapped.empty()) {
    out.failure = {SwitchApplyStage::cabling, unmapped_cabling_error("switch " + name, inventory, unmapped)};
    return;
  }
  auto sw = pool.get(name);
  if (!sw) {
    out.failure = {SwitchApplyStage::open, sw.error()};
    return;
  }
  auto current = (*sw)->list();
  if (!current) {
    out.failure = {SwitchApplyStage::list, current.error().context("switch " + name + ": list cross-connects")};
    return;
  }
  std::vector<ocs::CrossConnect> wanted;
  if (auto it = topology.per_switch.find(name); it != topology.per_switch.end()) wanted = it->second;
  out.plan = plan_apply(current->value, wanted, inventory_switch_ports(inventory, name), options.mode);
  note_what_is_made(out.circuits, *out.plan);
  if (options.plan_only || out.plan->empty()) return;

  ocs::Timing span;
  for (const auto& cs : change_sets(*out.plan, options.mode)) {
    auto done = (*sw)->apply(cs);
    if (!done) {
      out.failure = {SwitchApplyStage::apply, done.error().context("switch " + name + ": apply")};
      return;
    }
    ocs::append(span, done->timing);
  }
  out.timing = span;
}

}  // namespace

const SwitchApplyOutcome* TopologyApplyResult::first_failure() const {
  for (const auto& s : switches) {
    if (!s.ok()) return &s;
  }
  return nullptr;
}

const ocs::Timing* TopologyApplyResult::timing_of(const std::string& switch_name) const {
  for (const auto& s : switches) {
    if (s.switch_name == switch_name && s.timing) return &*s.timing;
  }
  return nullptr;
}

TopologyApplyResult apply_topology(const Topology& topology, const Inventory& inventory, SwitchPool& pool,
                                   const ApplyTopologyOptions& options) {
  TopologyApplyResult result;
  for (const std::string& name : cabled_ocs_switches(inventory)) {
    // A topology confined to a region leaves every other region's switches alone.
    if (const Switch* sw = inventory.find_switch(name); !topology.region.empty() && sw != nullptr && sw->region != topology.region) continue;
    SwitchApplyOutcome& out = result.switches.emplace_back();
    out.switch_name = name;
    out.circuits = circuits_on(topology, name);
  }
  // Every switch at once, each on a thread of its own with its own driver (and lease): one slow
  // or failing switch delays or fails only its own circuits. Outcomes are reported one at a time.
  std::mutex report;
  const auto turn = [&](SwitchApplyOutcome& out) {
    apply_to_switch(topology, inventory, pool, options, out);
    if (!options.on_switch) return;
    std::lock_guard lock(report);
    options.on_switch(out);
  };
  if (result.switches.size() == 1) {
    turn(result.switches.front());
    return result;
  }
  std::vector<std::jthread> threads;
  threads.reserve(result.switches.size());
  for (auto& out : result.switches) threads.emplace_back([&turn, &out] { turn(out); });
  threads.clear();   // joins them
  return result;
}

}  // namespace mixnet::coord
