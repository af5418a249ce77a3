#include "coordinator/modules/traffic_run.hpp"

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/traffic/traffic_args.hpp"
#include "coordinator/traffic/traffic_flow.hpp"
#include "coordinator/traffic/traffic_plan.hpp"
#include "coordinator/traffic/traffic_rounds.hpp"
#include "coordinator/traffic/traffic_verdict.hpp"

namespace mixnet::coord {

namespace {

// Check mode: what each test would send; nothing is sent.
StepResult check_only(StepResult result, const TrafficPlan& plan, const TrafficRunArgs& args, StepContext& ctx) {
  for (const auto& item : would_run_items(plan, args, ctx.inventory)) ctx.sink.record(item);
  result.message = fmt::format("{}: would run {} {} test(s) in {} round(s) ({}); nothing sent (check mode)", plan.label,
                               plan.tests.size(), test_noun(args.pattern), plan.rounds.size(), describe_amount(args));
  return result;
}

}  // namespace

Result<void> TrafficRunModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  // Templated arguments are checked again, resolved, when the step runs.
  nlohmann::json known = args;
  bool partial = false;
  if (known.is_object()) {
    for (auto it = known.begin(); it != known.end();) {
      if (is_templated(it.value())) {
        it = known.erase(it);
        partial = true;
      } else {
        ++it;
      }
    }
  }
  // A templated pattern leaves the pattern-specific keys for the run to judge.
  if (partial && args.is_object() && args.contains("pattern") && is_templated(args["pattern"])) {
    return check_traffic_run_keys(args);
  }
  auto parsed = parse_traffic_run_args(known, vc.inventory, vc.topologies, partial);
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

StepResult TrafficRunModule::run(const nlohmann::json& raw_args, StepContext& ctx) {
  auto parsed = parse_traffic_run_args(raw_args, ctx.inventory, ctx.topologies);
  if (!parsed) return module_args::step_error(parsed.error());
  const TrafficRunArgs& args = *parsed;
  auto planned = plan_traffic(args, ctx.inventory, ctx.topologies, ctx.state);
  if (!planned && ctx.check_mode && !args.topology && args.pattern == TrafficPattern::circuits) {
    // ocs.apply records what it applied only when it really applies it.
    StepResult r;
    r.message = "would test the circuits of the topology ocs.apply applies (check mode applies none); nothing sent";
    return r;
  }
  if (!planned) return module_args::step_error(planned.error());
  const TrafficPlan& plan = *planned;

  StepResult result;
  result.data = plan_data(args, plan);
  for (const auto& item : skipped_items(plan)) ctx.sink.record(item);
  if (ctx.check_mode) return check_only(std::move(result), plan, args, ctx);

  auto pool = ctx.agents();
  if (!pool) return module_args::step_error(pool.error());
  std::vector<Flow> flows = plan_flows(plan);
  const auto live_gbps = read_port_speeds(**pool, plan, args, ctx.deadline_ns);
  for (auto& f : flows) choose_line_rate(f, args, ctx.inventory, live_gbps);

  TrafficTally tally;
  run_rounds(**pool, args, ctx, flows, plan.rounds.size(), [&](std::size_t r, const std::vector<Flow*>& round, std::int64_t started) {
    for (Flow* f : round) judge(*f, args);
    // The round's tests, each with both its directions.
    for (std::size_t t : plan.rounds[r]) {
      ItemResult item = test_verdict(plan.tests[t], r, flows_of_test(flows, t), args);
      item.started_ns = started;
      item.finished_ns = realtime_ns();
      tally.add_test(item);
      ctx.sink.record(item);
    }
  });
  // One verdict per port: every flow it sent or received.
  for (const auto& item : port_verdicts(flows)) {
    tally.add_port(item);
    ctx.sink.record(item);
  }
  finish_step(result, tally, flows, plan, args);
  return result;
}

}  // namespace mixnet::coord
