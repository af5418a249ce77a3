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

// Adds `port`'s reading (a reply for that one port) to its host's entry in `snapshot`.
void add_reading(health::CounterSnapshot& snapshot, const PortRef& port, const wire::CountersReply* reading) {
  health::HostCounters* entry = nullptr;
  for (auto& h : snapshot.hosts) {
    if (h.host == port.host) entry = &h;
  }
  if (entry == nullptr) {
    snapshot.hosts.push_back({.host = port.host, .reply = std::nullopt, .error = std::nullopt});
    entry = &snapshot.hosts.back();
  }
  if (reading == nullptr) {
    if (!entry->reply) {
      entry->error = Error{Errc::unavailable, "no traffic run of the test on " + port.str() +
                                                  " brought its port counters (not started, or its agent could not read them)"};
    }
    return;
  }
  if (!entry->reply) {
    entry->reply = *reading;
    entry->error.reset();
    return;
  }
  for (const auto& p : reading->ports) entry->reply->ports.push_back(p);   // the test's other port on the same host
}

// The test's ports' counters around its runs (PairTestOutcome::counters_before / _after).
void counters_around(const std::vector<const Flow*>& flows, const PortRef& a, const PortRef& b, PairTestOutcome& out) {
  for (const PortRef& port : {a, b}) {
    const wire::CountersReply* first = nullptr;
    const wire::CountersReply* last = nullptr;
    for (const Flow* f : flows) {
      // The runs on this port: the client sending from it, the server receiving on it.
      for (const auto* run : {f->from == port && f->client ? &*f->client : nullptr, f->to == port && f->server ? &*f->server : nullptr}) {
        if (run == nullptr) continue;
        if (run->counters_before && (first == nullptr || run->counters_before->time_ns < first->time_ns)) first = &*run->counters_before;
        if (run->counters_after && (last == nullptr || run->counters_after->time_ns > last->time_ns)) last = &*run->counters_after;
      }
    }
    add_reading(out.counters_before, port, first);
    add_reading(out.counters_after, port, last);
    if (first != nullptr && (out.counters_before.taken_ns == 0 || first->time_ns < out.counters_before.taken_ns)) {
      out.counters_before.taken_ns = first->time_ns;
    }
    if (last != nullptr) out.counters_after.taken_ns = std::max(out.counters_after.taken_ns, last->time_ns);
  }
}

}  // namespace

std::vector<PairTestOutcome> run_pair_tests(AgentPool& pool, StepContext& ctx, const std::vector<PairTestRequest>& requests,
                                             const PairTrafficOptions& options) {
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
  run_rounds(pool, args, ctx, flows, plan.rounds.size(), [&](std::size_t r, const std::vector<Flow*>& round, std::int64_t started) {
    for (Flow* f : round) judge(*f, args);
    for (std::size_t t : plan.rounds[r]) {
      const auto mine = flows_of_test(flows, t);
      ItemResult item = test_verdict(plan.tests[t], r, mine, args);
      item.started_ns = started;
      item.finished_ns = realtime_ns();
      item.data["health_round"] = requests[t].round;
      out[t].test = pair_test_of(requests[t], item, mine, args);
      out[t].item = std::move(item);
      counters_around(mine, requests[t].a, requests[t].b, out[t]);
    }
  });
  return out;
}

}  // namespace mixnet::coord
