#include "coordinator/modules/measure_reconfig.hpp"

#include <fmt/format.h>

#include "coordinator/engine/module_args.hpp"
#include "coordinator/reconfig/reconfig_args.hpp"
#include "coordinator/reconfig/reconfig_run.hpp"

namespace mixnet::coord {

Result<void> MeasureReconfigModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  auto a = parse_reconfig_args(args, vc.topologies, false);
  if (!a) return std::unexpected(a.error());
  return {};
}

StepResult MeasureReconfigModule::run(const nlohmann::json& args, StepContext& ctx) {
  auto a = parse_reconfig_args(args, ctx.topologies, true);
  if (!a) return module_args::step_error(a.error());
  if (ctx.check_mode) {
    StepResult result;
    result.changed = true;
    result.message = fmt::format("would measure {} repetition(s) of {}", a->repetitions, a->title().substr(18));
    return result;
  }
  auto agents = ctx.agents();
  if (!agents) return module_args::step_error(agents.error());
  auto switches = ctx.switches();
  if (!switches) return module_args::step_error(switches.error());

  ReconfigRun run(*a, ctx, **agents, **switches);
  if (auto ready = run.prepare(); !ready) return ready.error();
  for (int rep = 1; rep <= a->repetitions; ++rep) {
    auto go_on = run.repetition(rep);
    if (!go_on) return go_on.error();
    if (!*go_on) break;
  }
  return run.finish();
}

}  // namespace mixnet::coord
