#include "coordinator/modules/ocs_apply.hpp"

#include <vector>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/ocs/apply_plan.hpp"
#include "coordinator/ocs/apply_topology.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::coord {

namespace {

std::string known_topologies(const TopologySet& set) {
  std::string s;
  for (const auto& n : set.names()) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none are loaded" : "known: " + s;
}

Result<const Topology*> find_topology(const nlohmann::json& args, const TopologySet& set) {
  auto name = module_args::string_arg(args, "topology");
  if (!name) return std::unexpected(name.error());
  if (!*name) return fail(Errc::invalid_argument, "required: the topology to apply", "topology");
  const Topology* t = set.find(**name);
  if (t == nullptr) return fail(Errc::invalid_argument, "unknown topology '" + **name + "' (" + known_topologies(set) + ")", "topology");
  return t;
}

std::string join_connections(const std::vector<ocs::CrossConnect>& list) {
  std::string s;
  for (const auto& c : list) s += (s.empty() ? "" : ", ") + describe(c);
  return s;
}

// The switch's times in its step data: first command sent, last acknowledgement, recoveries.
void add_timing_json(nlohmann::json& swdata, const ocs::Timing& span) {
  swdata["t_cmd_ns"] = span.sent_ns;
  swdata["t_ack_ns"] = span.acked_ns;
  swdata["apply_ms"] = static_cast<double>(span.acked_ns - span.sent_ns) / 1e6;
  swdata["recoveries"] = span.recoveries;
  if (span.recovered()) {
    swdata["recovery_cause"] = span.recovery_cause;
    swdata["acked_by_read_back"] = span.acked_by_read_back;
  }
}

// One item per topology circuit through the switch: the switch's failure when it failed (every
// circuit on it shares that verdict), else what was made or found in place, with the switch's
// times.
ItemResult circuit_item(const SwitchApplyOutcome& sw, const CircuitOnSwitch& c, bool check_mode) {
  const Circuit& circuit = c.circuit->circuit;
  ItemResult it;
  it.kind = "circuit";
  it.id = circuit.a.str() + "-" + circuit.b.str();
  it.hosts = {circuit.a.host, circuit.b.host};
  if (sw.failure) {
    it.status = item_status::failed;
    it.message = sw.failure->error.message;
    it.started_ns = it.finished_ns = realtime_ns();
    return it;
  }
  nlohmann::json cc = nlohmann::json::array();
  for (const auto& x : c.circuit->cross_connects) cc.push_back(describe(x));
  const bool in_place = c.to_make.empty();
  it.data = {{"switch", sw.switch_name}, {"cross_connects", cc}, {"action", in_place ? "keep" : "make"}};
  if (check_mode) {
    it.status = item_status::skipped;
    it.message = in_place ? "already in place" : "would make " + join_connections(c.to_make);
    it.started_ns = it.finished_ns = realtime_ns();
    return it;
  }
  const ocs::Timing span = sw.timing.value_or(ocs::Timing{});
  it.status = item_status::ok;
  it.message = in_place ? "already in place" : "made " + join_connections(c.to_make);
  if (span.recovered() && !in_place) it.message += " " + ocs::describe_recovery(span);
  it.data["t_cmd_ns"] = span.sent_ns;
  it.data["t_ack_ns"] = span.acked_ns;
  it.data["recoveries"] = span.recoveries;
  it.started_ns = span.sent_ns != 0 ? span.sent_ns : realtime_ns();
  it.finished_ns = span.acked_ns != 0 ? span.acked_ns : it.started_ns;
  return it;
}

}  // namespace

Result<void> OcsApplyModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = module_args::only_keys(args, {"topology", "mode"}); !ok) return ok;
  if (!module_args::templated(args, "topology")) {
    if (auto t = find_topology(args, vc.topologies); !t) return std::unexpected(t.error());
  }
  if (!module_args::templated(args, "mode")) {
    auto mode = module_args::string_arg(args, "mode");
    if (!mode) return std::unexpected(mode.error());
    if (*mode) {
      if (auto m = parse_apply_mode(**mode); !m) return std::unexpected(m.error());
    }
  }
  return {};
}

StepResult OcsApplyModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return module_args::step_error(ok.error());
  }
  const Topology* topology = *find_topology(args, ctx.topologies);
  ApplyMode mode = ApplyMode::fewest_changes;
  if (auto m = module_args::string_arg(args, "mode"); m && *m) mode = *parse_apply_mode(**m);

  auto pool = ctx.switches();
  if (!pool) return module_args::step_error(pool.error());

  StepResult result;
  result.data = {{"topology", topology->name}, {"mode", to_string(mode)}, {"switches", nlohmann::json::object()}};
  std::size_t made = 0, removed = 0, kept = 0;
  std::vector<std::string> problems;

  // Each switch's items are recorded the moment its turn ends, while the next switch is driven.
  auto on_switch = [&](const SwitchApplyOutcome& sw) {
    if (sw.plan) {
      made += sw.plan->make.size();
      removed += sw.plan->remove.size();
      kept += sw.plan->keep.size();
      if (!sw.plan->empty()) result.changed = true;
      nlohmann::json swdata = plan_json(*sw.plan);
      if (sw.timing) add_timing_json(swdata, *sw.timing);
      result.data["switches"][sw.switch_name] = std::move(swdata);
    }
    if (sw.failure) {
      problems.push_back(sw.failure->error.message);
      result.ok = false;
    } else if (!ctx.check_mode) {
      ctx.state.topology_of_switch[sw.switch_name] = topology->name;
    }
    // One transaction per switch: at 16 switches of 48 ports, an fsync per circuit took longer
    // than the switches themselves.
    std::vector<ItemResult> items;
    items.reserve(sw.circuits.size());
    for (const auto& c : sw.circuits) items.push_back(circuit_item(sw, c, ctx.check_mode));
    ctx.sink.record_all(items);
  };
  apply_topology(*topology, ctx.inventory, **pool,
                 {.mode = mode, .plan_only = ctx.check_mode, .cancel = &ctx.cancel, .on_switch = on_switch});

  result.message = fmt::format("{}topology {} ({}): {} to make, {} to break, {} kept", ctx.check_mode ? "would apply " : "",
                               topology->name, to_string(mode), made, removed, kept);
  if (!ctx.check_mode) {
    result.message = fmt::format("topology {} ({}): {} made, {} broken, {} kept", topology->name, to_string(mode), made, removed, kept);
  }
  for (const auto& p : problems) result.message += "; " + p;
  return result;
}

}  // namespace mixnet::coord
