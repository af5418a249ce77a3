#include "coordinator/modules/measure_replay.hpp"

#include "coordinator/engine/module_args.hpp"
#include "coordinator/modules/replay_args.hpp"
#include "coordinator/modules/replay_run.hpp"

namespace mixnet::coord {

Result<void> MeasureReplayModule::validate(const nlohmann::json& args, const ValidationContext&) const {
  auto a = parse_replay_args(args, false);
  if (!a) return std::unexpected(a.error());
  return {};
}

StepResult MeasureReplayModule::run(const nlohmann::json& args, StepContext& ctx) {
  auto a = parse_replay_args(args, true);
  if (!a) return module_args::step_error(a.error());
  ReplayRun run(*a, ctx);
  if (auto ready = run.prepare(); !ready) return module_args::step_error(ready.error());
  if (ctx.check_mode) {
    StepResult result;
    result.changed = true;
    result.message = run.plan_text();
    return result;
  }
  auto agents = ctx.agents();
  if (!agents) return module_args::step_error(agents.error());
  auto switches = ctx.switches();
  if (!switches) return module_args::step_error(switches.error());
  if (auto ok = run.replay(**agents, **switches); !ok) return module_args::step_error(ok.error());
  return run.finish();
}

}  // namespace mixnet::coord
