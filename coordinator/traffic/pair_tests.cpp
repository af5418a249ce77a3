#include "coordinator/traffic/pair_tests.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/traffic/traffic_args.hpp"
#include "coordinator/traffic/traffic_flow.hpp"
#include "coordinator/traffic/traffic_plan.hpp"
#include "coordinator/traffic/traffic_rounds.hpp"
#include "coordinator/traffic/traffic_verdict.hpp"

namespace mixnet::coord {

namespace {

TrafficRunArgs traffic_args_of(const PairTrafficOptions& o) {
  TrafficRunArgs args;
  args.pattern = TrafficPattern::pairs;
  args.direction = TrafficDirection::both;
  args.duration_s = o.duration_s;
  args.threshold = o.threshold;
  args.line_rate_gbps = o.line_rate_gbps;
  args.timeout_s = o.timeout_s;
  args.parallel = o.parallel;
  return args;
}

// The test's figure: its worse direction, when both measured.
health::PairTest pair_test_of(const PairTestRequest& r, const ItemResult& item, const std::vector<const Flow*>& flows,
                              const TrafficRunArgs& args) {
  health::PairTest t{.a = r.a.str(), .b = r.b.str(), .via = r.via, .path = r.path, .round = r.round};
  t.passed = item.status == item_status::ok;
  std::optional<double> lowest, line_rate;
  bool all_measured = !flows.empty();
  for (const Flow* f : flows) {
    if (!f->measured) {
      all_measured = false;
      continue;
    }
    lowest = lowest ? std::min(*lowest, f->gbps) : f->gbps;
    if (f->line_rate_gbps) line_rate = line_rate ? std::min(*line_rate, *f->line_rate_gbps) : *f->line_rate_gbps;
  }
  if (all_measured) t.gbps = lowest;
  if (args.threshold && line_rate) t.threshold_gbps = *args.threshold * *line_rate;
  t.detail = item.message;
  return t;
}

}  // namespace

std::vector<PairTestOutcome> run_pair_tests(AgentPool& pool, StepContext& ctx, const std::vector<PairTestRequest>& requests,
                                             const PairTrafficOptions& options, const AfterPairRound& after_round) {
  const TrafficRunArgs args = traffic_args_of(options);
  TrafficPlan plan;
  for (const auto& r : requests) {
    plan.tests.push_back({.kind = r.via == health::PartKind::eps_pair ? "pair" : "circuit", .a = r.a, .b = r.b, .a_to_b = true,
                          .b_to_a = true});
  }
  plan.rounds = pack_rounds(plan.tests, args.parallel);
  plan.label = fmt::format("{} test(s)", plan.tests.size());

  std::vector<Flow> flows = plan_flows(plan);
  const auto live_gbps = read_port_speeds(pool, plan, args, ctx.deadline_ns);
  for (auto& f : flows) choose_line_rate(f, args, ctx.inventory, live_gbps);

  std::vector<PairTestOutcome> out(requests.size());
  for (std::size_t r = 0; r < plan.rounds.size(); ++r) {
    const std::int64_t started = realtime_ns();
    const auto round = flows_in_round(flows, r);
    run_round(pool, args, ctx, r, plan.rounds.size(), round);
    for (Flow* f : round) judge(*f, args);
    for (std::size_t t : plan.rounds[r]) {
      const auto mine = flows_of_test(flows, t);
      ItemResult item = test_verdict(plan.tests[t], r, mine, args);
      item.started_ns = started;
      item.finished_ns = realtime_ns();
      item.data["health_round"] = requests[t].round;
      out[t].test = pair_test_of(requests[t], item, mine, args);
      out[t].item = std::move(item);
    }
    if (after_round) after_round(plan.rounds[r]);
  }
  return out;
}

}  // namespace mixnet::coord
