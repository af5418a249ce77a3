#include "coordinator/modules/ocs_clear.hpp"

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/unmapped_cabling.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/ocs/apply_plan.hpp"
#include "coordinator/ocs/switch_cabling.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::coord {

Result<void> OcsClearModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (auto ok = module_args::only_keys(args, {"switch", "everything"}); !ok) return ok;
  if (!module_args::templated(args, "switch")) {
    auto sw = module_args::string_arg(args, "switch");
    if (!sw) return std::unexpected(sw.error());
    if (*sw) {
      const Switch* s = vc.inventory.find_switch(**sw);
      if (s == nullptr || s->kind != SwitchKind::ocs) {
        return fail(Errc::invalid_argument, "no OCS switch named '" + **sw + "' in the inventory", "switch");
      }
    }
  }
  if (!module_args::templated(args, "everything")) {
    if (auto e = module_args::bool_arg(args, "everything"); !e) return std::unexpected(e.error());
  }
  return {};
}

StepResult OcsClearModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return module_args::step_error(ok.error());
  }
  const auto only = *module_args::string_arg(args, "switch");
  const bool everything = module_args::bool_arg(args, "everything")->value_or(false);
  std::vector<std::string> switches;
  if (only) {
    switches.push_back(*only);
  } else {
    for (const auto& s : ctx.inventory.switches) {
      if (s.kind == SwitchKind::ocs) switches.push_back(s.name);
    }
  }
  auto pool = ctx.switches();
  if (!pool) return module_args::step_error(pool.error());

  StepResult result;
  result.data = {{"switches", nlohmann::json::object()}};
  std::size_t broken = 0;
  for (const auto& sw_name : switches) {
    ItemResult it;
    it.kind = "switch";
    it.id = sw_name;
    it.started_ns = realtime_ns();
    auto record_failure = [&](const std::string& why) {
      it.status = item_status::failed;
      it.message = why;
      it.finished_ns = realtime_ns();
      ctx.sink.record(it);
      result.ok = false;
    };
    // Clearing only our ports needs all of them: a switch port nobody has mapped would be left
    // holding its connection. `everything` needs no map.
    if (const auto unmapped = ctx.inventory.unmapped_ocs_ports(sw_name); !everything && !unmapped.empty()) {
      record_failure(unmapped_cabling_error("switch " + sw_name, ctx.inventory, unmapped).message);
      continue;
    }
    auto sw = (*pool)->get(sw_name);
    if (!sw) {
      record_failure(sw.error().message);
      continue;
    }
    auto current = (*sw)->list();
    if (!current) {
      record_failure("list cross-connects: " + current.error().message);
      continue;
    }
    const ApplyPlan plan = plan_clear(current->value, inventory_switch_ports(ctx.inventory, sw_name), everything);
    it.data = plan_json(plan);
    broken += plan.remove.size();
    if (!plan.empty()) result.changed = true;
    if (ctx.check_mode) {
      it.status = item_status::skipped;
      it.message = plan.empty() ? "nothing to break" : fmt::format("would break {} connection(s)", plan.remove.size());
    } else {
      if (!plan.empty()) {
        auto done = (*sw)->apply(plan.disconnects());
        if (!done) {
          record_failure("apply: " + done.error().message);
          continue;
        }
        it.data["t_cmd_ns"] = done->timing.sent_ns;
        it.data["t_ack_ns"] = done->timing.acked_ns;
        it.data["recoveries"] = done->timing.recoveries;
        if (done->timing.recovered()) {
          it.data["recovery_cause"] = done->timing.recovery_cause;
          it.data["acked_by_read_back"] = done->timing.acked_by_read_back;
        }
      }
      ctx.state.topology_of_switch.erase(sw_name);
      it.status = item_status::ok;
      it.message = plan.empty() ? "nothing to break" : fmt::format("broke {} connection(s)", plan.remove.size());
    }
    it.finished_ns = realtime_ns();
    result.data["switches"][sw_name] = it.data;
    ctx.sink.record(it);
  }
  result.message = fmt::format("{}{} connection(s) on {} switch(es)", ctx.check_mode ? "would break " : "broke ", broken,
                               switches.size());
  return result;
}

}  // namespace mixnet::coord
