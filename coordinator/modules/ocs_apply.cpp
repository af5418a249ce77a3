#include "coordinator/modules/ocs_apply.hpp"

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/ocs/apply_plan.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::coord {

namespace {

std::string known_topologies(const TopologySet& set) {
  std::string s;
  for (const auto& n : set.names()) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "none are loaded" : "known: " + s;
}

Result<const Topology*> find_topology(const nlohmann::json& args, const TopologySet& set) {
  auto name = io_args::string_arg(args, "topology");
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

}  // namespace

std::set<ocs::PortId> inventory_switch_ports(const Inventory& inventory, const std::string& switch_name) {
  std::set<ocs::PortId> ports;
  for (const auto& h : inventory.hosts) {
    for (const auto& p : h.ports) {
      if (!p.ocs || p.ocs->switch_name != switch_name) continue;
      for (const auto* v : {&p.ocs->tx, &p.ocs->rx, &p.ocs->port}) {
        if (*v) ports.insert(**v);
      }
    }
  }
  return ports;
}

std::vector<std::string> cabled_ocs_switches(const Inventory& inventory) {
  std::vector<std::string> out;
  for (const auto& s : inventory.switches) {
    if (s.kind == SwitchKind::ocs && !inventory_switch_ports(inventory, s.name).empty()) out.push_back(s.name);
  }
  return out;
}

Result<void> OcsApplyModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = io_args::only_keys(args, {"topology", "mode"}); !ok) return ok;
  if (!io_args::templated(args, "topology")) {
    if (auto t = find_topology(args, vc.topologies); !t) return std::unexpected(t.error());
  }
  if (!io_args::templated(args, "mode")) {
    auto mode = io_args::string_arg(args, "mode");
    if (!mode) return std::unexpected(mode.error());
    if (*mode) {
      if (auto m = parse_apply_mode(**mode); !m) return std::unexpected(m.error());
    }
  }
  return {};
}

StepResult OcsApplyModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return io_args::step_error(ok.error());
  }
  const Topology* topology = *find_topology(args, ctx.topologies);
  ApplyMode mode = ApplyMode::fewest_changes;
  if (auto m = io_args::string_arg(args, "mode"); m && *m) mode = *parse_apply_mode(**m);

  auto pool = ctx.switches();
  if (!pool) return io_args::step_error(pool.error());

  StepResult result;
  result.data = {{"topology", topology->name}, {"mode", to_string(mode)}, {"switches", nlohmann::json::object()}};
  std::size_t made = 0, removed = 0, kept = 0;
  std::vector<std::string> problems;

  for (const std::string& sw_name : cabled_ocs_switches(ctx.inventory)) {
    std::vector<const ResolvedCircuit*> circuits;
    for (const auto& rc : topology->resolved) {
      if (rc.switch_name == sw_name) circuits.push_back(&rc);
    }
    std::vector<ocs::CrossConnect> wanted;
    if (auto it = topology->per_switch.find(sw_name); it != topology->per_switch.end()) wanted = it->second;

    // Every circuit on this switch gets the same verdict when the switch itself fails. `why`
    // names the switch.
    auto fail_circuits = [&](const std::string& why) {
      problems.push_back(why);
      for (const auto* rc : circuits) {
        ItemResult it;
        it.kind = "circuit";
        it.id = rc->circuit.a.str() + "-" + rc->circuit.b.str();
        it.status = item_status::failed;
        it.message = why;
        it.hosts = {rc->circuit.a.host, rc->circuit.b.host};
        it.started_ns = it.finished_ns = realtime_ns();
        ctx.sink.record(it);
      }
      result.ok = false;
    };

    if (ctx.cancel.load()) {
      fail_circuits("switch " + sw_name + ": cancelled before the switch was touched");
      continue;
    }
    auto sw = (*pool)->get(sw_name);
    if (!sw) {
      fail_circuits(sw.error().message);
      continue;
    }
    auto current = (*sw)->list();
    if (!current) {
      fail_circuits("switch " + sw_name + ": list cross-connects: " + current.error().message);
      continue;
    }
    const ApplyPlan plan = plan_apply(current->value, wanted, inventory_switch_ports(ctx.inventory, sw_name), mode);
    nlohmann::json swdata = plan_json(plan);
    made += plan.make.size();
    removed += plan.remove.size();
    kept += plan.keep.size();
    if (!plan.empty()) result.changed = true;

    ocs::Timing span;   // every change set of this switch, first send to last acknowledgement
    bool applied_ok = true;
    if (!ctx.check_mode && !plan.empty()) {
      std::vector<ocs::ChangeSet> sets;
      if (mode == ApplyMode::replace) {
        if (!plan.remove.empty()) sets.push_back(plan.disconnects());
        if (!plan.make.empty()) sets.push_back(plan.connects());
      } else {
        sets.push_back(plan.change_set());
      }
      for (const auto& cs : sets) {
        auto done = (*sw)->apply(cs);
        if (!done) {
          fail_circuits("switch " + sw_name + ": apply: " + done.error().message);
          applied_ok = false;
          break;
        }
        ocs::append(span, done->timing);
      }
      if (!applied_ok) {
        result.data["switches"][sw_name] = swdata;
        continue;
      }
      swdata["t_cmd_ns"] = span.sent_ns;
      swdata["t_ack_ns"] = span.acked_ns;
      swdata["apply_ms"] = static_cast<double>(span.acked_ns - span.sent_ns) / 1e6;
      swdata["recoveries"] = span.recoveries;
      if (span.recovered()) {
        swdata["recovery_cause"] = span.recovery_cause;
        swdata["acked_by_read_back"] = span.acked_by_read_back;
      }
    }
    if (!ctx.check_mode) ctx.state.topology_of_switch[sw_name] = topology->name;
    result.data["switches"][sw_name] = swdata;

    for (const auto* rc : circuits) {
      ItemResult it;
      it.kind = "circuit";
      it.id = rc->circuit.a.str() + "-" + rc->circuit.b.str();
      it.hosts = {rc->circuit.a.host, rc->circuit.b.host};
      std::vector<ocs::CrossConnect> to_make;
      for (const auto& c : rc->cross_connects) {
        for (const auto& m : plan.make) {
          if (same_connection(c, m)) to_make.push_back(c);
        }
      }
      nlohmann::json cc = nlohmann::json::array();
      for (const auto& c : rc->cross_connects) cc.push_back(describe(c));
      it.data = {{"switch", sw_name}, {"cross_connects", cc}, {"action", to_make.empty() ? "keep" : "make"}};
      if (ctx.check_mode) {
        it.status = item_status::skipped;
        it.message = to_make.empty() ? "already in place" : "would make " + join_connections(to_make);
        it.started_ns = it.finished_ns = realtime_ns();
      } else {
        it.status = item_status::ok;
        it.message = to_make.empty() ? "already in place" : "made " + join_connections(to_make);
        if (span.recovered() && !to_make.empty()) it.message += " " + ocs::describe_recovery(span);
        it.data["t_cmd_ns"] = span.sent_ns;
        it.data["t_ack_ns"] = span.acked_ns;
        it.data["recoveries"] = span.recoveries;
        it.started_ns = span.sent_ns != 0 ? span.sent_ns : realtime_ns();
        it.finished_ns = span.acked_ns != 0 ? span.acked_ns : it.started_ns;
      }
      ctx.sink.record(it);
    }
  }

  result.message = fmt::format("{}topology {} ({}): {} to make, {} to break, {} kept", ctx.check_mode ? "would apply " : "",
                               topology->name, to_string(mode), made, removed, kept);
  if (!ctx.check_mode) {
    result.message = fmt::format("topology {} ({}): {} made, {} broken, {} kept", topology->name, to_string(mode), made, removed, kept);
  }
  for (const auto& p : problems) result.message += "; " + p;
  return result;
}

}  // namespace mixnet::coord
