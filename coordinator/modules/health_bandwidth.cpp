#include "coordinator/modules/health_bandwidth.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/health/disturbed_rounds.hpp"
#include "coordinator/health/health_ledger.hpp"
#include "coordinator/health/pair_judgement.hpp"
#include "coordinator/health/retest_plan.hpp"
#include "coordinator/health/retest_topology.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/modules/carrier_reads.hpp"
#include "coordinator/ocs/apply_topology.hpp"
#include "coordinator/ocs/switch_pool.hpp"
#include "coordinator/traffic/pair_tests.hpp"
#include "coordinator/traffic/traffic_args.hpp"
#include "coordinator/verify/link_verifier.hpp"

namespace mixnet::coord {

namespace {

using health::PairTest;
using health::PartKind;

enum class Mode { topology, eps, retest };

struct BandwidthArgs {
  Mode mode = Mode::topology;
  std::string topology;            // Mode::topology
  bool k_batch = false;            // Mode::eps
  std::size_t k = 3;
  PartKind retest_via = PartKind::circuit;   // Mode::retest
  int rounds = 2;
  PairTrafficOptions traffic;
  double peer_fraction = 0.5;
  double verify_deadline_s = 10;
};

// Seconds of each kind of work in the step (bench/health.sh splits the run's time with them).
struct Timings {
  double reconfig_s = 0;
  double verify_s = 0;
  double traffic_s = 0;
  double sending_s = 0;   // rounds x duration: the seconds test traffic was really being sent
  double counters_s = 0;  // the counter reads around each re-patch and test round (flaps)
};

double seconds_since(std::int64_t mono_start) { return static_cast<double>(monotonic_ns() - mono_start) / 1e9; }

// Counter reads that cut the carrier windows (docs/health/counters.md, "Flaps"): short, so a slow
// agent costs little; a failed read leaves its windows unknown, never guessed.
constexpr double kCarrierReadDeadlineS = 2.0;

health::CounterSnapshot timed_read(StepContext& ctx, AgentPool& agents, const std::vector<std::string>& hosts, Timings& timings) {
  const std::int64_t t0 = monotonic_ns();
  const std::int64_t deadline = std::min(t0 + static_cast<std::int64_t>(kCarrierReadDeadlineS * 1e9), ctx.deadline_ns);
  auto out = read_counter_snapshot(agents, hosts, ctx.state.run_id, deadline);
  timings.counters_s += seconds_since(t0);
  return out;
}

void record_windows(StepContext& ctx, std::vector<health::CarrierWindow> windows) {
  auto& ledger = health::ledger_of(ctx.state);
  for (auto& w : windows) ledger.add(std::move(w));
}

// The traffic round a test ran in (its item's "round", 1-based).
std::size_t round_of(const PairTestOutcome& o) { return static_cast<std::size_t>(std::max(0, o.item.data.value("round", 0))); }

// Runs the tests, counting their time; a round that ran slow as a whole (disturbed_rounds.hpp)
// is measured once more and its first figures kept only as evidence.
std::vector<PairTestOutcome> measured_tests(AgentPool& agents, StepContext& ctx, const std::vector<PairTestRequest>& requests,
                                            const BandwidthArgs& a, Timings& timings) {
  const std::int64_t t0 = monotonic_ns();
  auto out = run_pair_tests(agents, ctx, requests, a.traffic);
  std::size_t rounds = 0;
  for (const auto& o : out) rounds = std::max(rounds, round_of(o));
  std::vector<health::RoundFigure> figures;
  for (const auto& o : out) figures.push_back({.round = round_of(o), .gbps = o.test.gbps});
  const auto disturbed = health::disturbed_rounds(figures, a.peer_fraction, health::kMinPeers);
  if (!disturbed.empty() && !ctx.cancel.load() && !ctx.expired()) {
    std::map<std::size_t, const health::DisturbedRound*> which;
    for (const auto& d : disturbed) which[d.round] = &d;
    std::vector<std::size_t> again;
    for (std::size_t t = 0; t < out.size(); ++t) {
      if (which.contains(round_of(out[t]))) again.push_back(t);
    }
    std::vector<PairTestRequest> subset;
    for (std::size_t t : again) subset.push_back(requests[t]);
    ctx.sink.note(fmt::format("{} round(s) ran slow together (a round's median, or several of its tests at once, under {}% of the "
                              "other rounds' median): {} test(s) measured again",
                              disturbed.size(), a.peer_fraction * 100, subset.size()));
    auto second = run_pair_tests(agents, ctx, subset, a.traffic);
    std::size_t second_rounds = 0;
    for (std::size_t k = 0; k < again.size(); ++k) {
      const std::size_t t = again[k];
      const health::DisturbedRound& d = *which[round_of(out[t])];
      second_rounds = std::max(second_rounds, round_of(second[k]));
      nlohmann::json first = {{"round", d.round},
                              {"round_median_gbps", d.median_gbps},
                              {"other_rounds_median_gbps", d.others_gbps},
                              {"slow_tests", d.slow},
                              {"round_tests", d.tests}};
      if (out[t].test.gbps) first["gbps"] = *out[t].test.gbps;
      second[k].item.data["measured_again"] = std::move(first);
      out[t] = std::move(second[k]);
    }
    rounds += second_rounds;
  }
  timings.traffic_s += seconds_since(t0);
  timings.sending_s += static_cast<double>(rounds) * a.traffic.duration_s;
  return out;
}

// Runs the tests and counts their time: all of it as traffic, rounds x duration as sending. Each
// test carries the error counters of its two ports that grew around it, from the readings its
// agents took as its runs were created and finished (docs/health/counters.md, "Around each test").
std::vector<PairTestOutcome> timed_tests(AgentPool& agents, StepContext& ctx, const std::vector<PairTestRequest>& requests,
                                         const BandwidthArgs& a, Timings& timings) {
  if (requests.empty()) return {};
  auto out = measured_tests(agents, ctx, requests, a, timings);
  for (std::size_t t = 0; t < out.size(); ++t) {
    const auto growth = error_growth(out[t].counters_before, out[t].counters_after, {requests[t].a.str(), requests[t].b.str()});
    out[t].item.data["error_counters"] = error_growth_json(growth);
    const std::string said = describe_error_growth(growth);
    if (said.empty()) continue;
    out[t].test.detail += "; error counters during the test: " + said;
    out[t].item.message += "; error counters during the test: " + said;
  }
  return out;
}

Result<BandwidthArgs> parse_args(const nlohmann::json& args, const TopologySet& topologies) {
  if (auto ok = module_args::only_keys(args, {"topology", "eps", "retest", "duration", "threshold", "line_rate_gbps",
                                              "peer_fraction", "timeout", "verify_deadline", "k", "rounds", "parallel"});
      !ok) {
    return std::unexpected(ok.error());
  }
  BandwidthArgs out;
  auto topology = module_args::string_arg(args, "topology");
  auto eps = module_args::string_arg(args, "eps");
  auto retest = module_args::string_arg(args, "retest");
  for (const auto* r : {&topology, &eps, &retest}) {
    if (!*r) return std::unexpected(r->error());
  }
  const int given = (*topology ? 1 : 0) + (*eps ? 1 : 0) + (*retest ? 1 : 0);
  if (given != 1) return fail(Errc::invalid_argument, "give exactly one of topology, eps, retest", "topology");
  if (*topology) {
    out.mode = Mode::topology;
    out.topology = **topology;
    if (topologies.find(out.topology) == nullptr) {
      return fail(Errc::invalid_argument, "unknown topology '" + out.topology + "'", "topology");
    }
  } else if (*eps) {
    out.mode = Mode::eps;
    if (**eps != "circle" && **eps != "k-batch") return fail(Errc::invalid_argument, "must be circle or k-batch", "eps");
    out.k_batch = **eps == "k-batch";
  } else {
    out.mode = Mode::retest;
    if (**retest == "circuit") out.retest_via = PartKind::circuit;
    else if (**retest == "eps_pair") out.retest_via = PartKind::eps_pair;
    else return fail(Errc::invalid_argument, "must be circuit or eps_pair", "retest");
  }
  struct Bound {
    const char* key;
    double min, max;
  };
  for (const Bound& b : {Bound{"duration", 0.1, 600}, Bound{"threshold", 0, 1}, Bound{"line_rate_gbps", 0.001, 100000},
                         Bound{"peer_fraction", 0, 1}, Bound{"timeout", 0.5, 3600}, Bound{"verify_deadline", 0.1, 600},
                         Bound{"k", 1, 1000}, Bound{"rounds", 1, 10}, Bound{"parallel", 0, 100000}}) {
    if (auto v = module_args::number_arg(args, b.key, b.min, b.max); !v) return std::unexpected(v.error());
  }
  out.traffic.duration_s = module_args::number_arg(args, "duration", 0.1, 600)->value_or(1.0);
  out.traffic.threshold = *module_args::number_arg(args, "threshold", 0, 1);
  out.traffic.line_rate_gbps = *module_args::number_arg(args, "line_rate_gbps", 0.001, 100000);
  out.traffic.timeout_s = module_args::number_arg(args, "timeout", 0.5, 3600)->value_or(out.traffic.duration_s + kTrafficTimeoutSlackS);
  if (out.traffic.timeout_s <= out.traffic.duration_s) {
    return fail(Errc::invalid_argument, "must be longer than duration", "timeout");
  }
  out.peer_fraction = module_args::number_arg(args, "peer_fraction", 0, 1)->value_or(0.5);
  out.verify_deadline_s = module_args::number_arg(args, "verify_deadline", 0.1, 600)->value_or(10.0);
  out.k = static_cast<std::size_t>(module_args::number_arg(args, "k", 1, 1000)->value_or(3));
  out.rounds = static_cast<int>(module_args::number_arg(args, "rounds", 1, 10)->value_or(2));
  out.traffic.parallel = static_cast<std::size_t>(module_args::number_arg(args, "parallel", 0, 100000)->value_or(0));
  return out;
}

bool involves(const std::set<std::string>& hosts, const PortRef& a, const PortRef& b) {
  return hosts.contains(a.host) || hosts.contains(b.host);
}

// A test that sent no traffic (the switch failed, the link did not verify): failed, with why.
PairTestOutcome not_run(const PortRef& a, const PortRef& b, PartKind via, int round, std::string status, std::string why) {
  PairTestOutcome o;
  o.test = PairTest{.a = a.str(), .b = b.str(), .via = via, .path = health::test_part_name(via, a.str(), b.str()), .round = round,
                    .passed = false, .detail = why};
  o.item = ItemResult{.kind = via == PartKind::eps_pair ? "pair" : "circuit", .id = a.str() + "-" + b.str(), .status = std::move(status),
                      .message = std::move(why)};
  o.item.data = {{"a", a.str()}, {"b", b.str()}, {"health_round", round}};
  o.item.hosts = {a.host};
  if (b.host != a.host) o.item.hosts.push_back(b.host);
  o.item.started_ns = o.item.finished_ns = realtime_ns();
  return o;
}

std::vector<std::string> reachable_hosts(const Inventory& inventory, const std::set<std::string>& unreachable) {
  std::vector<std::string> out;
  for (const auto& h : inventory.hosts) {
    if (!unreachable.contains(h.name)) out.push_back(h.name);
  }
  return out;
}

// One OCS pass: apply `topology` (its circuits only change), verify its links, test the circuits
// that verified. Circuits with an unreachable end are left out.
std::vector<PairTestOutcome> ocs_pass(StepContext& ctx, AgentPool& agents, const Topology& topology, int round,
                                      const BandwidthArgs& a, const std::set<std::string>& unreachable, bool remember_topology,
                                      Timings& timings) {
  std::vector<PairTestOutcome> out;
  std::map<std::string, std::string> switch_failure;
  // Every OCS port of the reachable hosts may be re-patched (a circuit made, or one removed):
  // their carrier changes from before the apply until the links verified are the run's own.
  const std::vector<std::string> reachable = reachable_hosts(ctx.inventory, unreachable);
  std::vector<std::string> ocs_ports;
  for (const auto& h : ctx.inventory.hosts) {
    if (unreachable.contains(h.name)) continue;
    for (const auto& p : h.ports) {
      if (p.ocs) ocs_ports.push_back(h.name + ":" + p.name);
    }
  }
  const std::string window_label = topology.name;
  const health::CounterSnapshot before_apply = timed_read(ctx, agents, reachable, timings);
  auto switches = ctx.switches();
  if (!switches) {
    for (const auto& sw : ctx.inventory.switches) switch_failure[sw.name] = switches.error().message;
  } else {
    const std::int64_t t0 = monotonic_ns();
    const auto applied = apply_topology(topology, ctx.inventory, **switches, {.mode = ApplyMode::fewest_changes, .cancel = &ctx.cancel});
    timings.reconfig_s += seconds_since(t0);
    for (const auto& sw : applied.switches) {
      if (sw.failure) switch_failure[sw.switch_name] = sw.failure->error.message;
      else if (remember_topology) ctx.state.topology_of_switch[sw.switch_name] = topology.name;
    }
  }

  std::vector<ExpectedLink> links;
  for (const auto& rc : topology.resolved) {
    const auto& c = rc.circuit;
    if (involves(unreachable, c.a, c.b)) continue;
    if (const auto f = switch_failure.find(rc.switch_name); f != switch_failure.end()) {
      out.push_back(not_run(c.a, c.b, PartKind::circuit, round, std::string(item_status::failed),
                            "not tested: switch " + rc.switch_name + " failed: " + f->second));
      continue;
    }
    links.push_back({c.a, c.b});
  }

  LinkVerifyOptions options;
  options.deadline_ns = std::min(monotonic_ns() + static_cast<std::int64_t>(a.verify_deadline_s * 1e9), ctx.deadline_ns);
  for (const auto& h : ctx.inventory.hosts) {
    if (!unreachable.contains(h.name)) options.all_hosts.push_back(h.name);
  }
  options.cancel = &ctx.cancel;
  const std::int64_t t1 = monotonic_ns();
  const auto report = links.empty() ? LinkVerifyReport{} : verify_links(agents, links, options);
  timings.verify_s += seconds_since(t1);
  std::map<PortRef, const PortVerdict*> verdict;
  for (const auto& v : report.ports) verdict[v.port] = &v;
  const health::CounterSnapshot verified = timed_read(ctx, agents, reachable, timings);
  record_windows(ctx, carrier_windows(before_apply, verified, ocs_ports, health::CarrierWindowKind::reconfiguration, window_label));

  std::vector<PairTestRequest> requests;
  for (const auto& l : links) {
    const PortVerdict* va = verdict.contains(l.a) ? verdict[l.a] : nullptr;
    const PortVerdict* vb = verdict.contains(l.b) ? verdict[l.b] : nullptr;
    const bool ok = va != nullptr && vb != nullptr && va->verdict == LinkVerdict::ok && vb->verdict == LinkVerdict::ok;
    if (ok) {
      requests.push_back({.a = l.a, .b = l.b, .via = PartKind::circuit, .round = round,
                          .path = health::test_part_name(PartKind::circuit, l.a.str(), l.b.str())});
      continue;
    }
    std::vector<std::string> why;
    std::string status = std::string(item_status::failed);
    for (const PortVerdict* v : {va, vb}) {
      if (v == nullptr) continue;
      if (v->verdict != LinkVerdict::ok) {
        why.push_back(fmt::format("{} {}: {}", v->port.str(), to_string(v->verdict), v->message));
        status = std::string(to_string(v->verdict));
      }
    }
    if (why.empty()) why.push_back("no verdict from the link verifier");
    out.push_back(not_run(l.a, l.b, PartKind::circuit, round, status, fmt::format("link not verified: {}", fmt::join(why, "; "))));
  }
  for (auto& o : timed_tests(agents, ctx, requests, a, timings)) out.push_back(std::move(o));
  if (!requests.empty()) {
    const health::CounterSnapshot after_tests = timed_read(ctx, agents, reachable, timings);
    // Nothing re-patched the switch while the tests ran: a carrier change of a tested port then is a flap.
    std::vector<std::string> tested;
    for (const auto& r : requests) {
      tested.push_back(r.a.str());
      tested.push_back(r.b.str());
    }
    record_windows(ctx, carrier_windows(verified, after_tests, tested, health::CarrierWindowKind::test, window_label + " tests"));
  }
  return out;
}

// Every pair of each electrical switch's ports (circle method; k-batch: its first k rounds).
std::vector<PairTestRequest> eps_requests(const Inventory& inventory, const BandwidthArgs& a, const std::set<std::string>& unreachable) {
  std::vector<PairTestRequest> requests;
  for (const auto& sw : inventory.switches) {
    if (sw.kind != SwitchKind::eps) continue;
    std::vector<PortRef> ports;
    for (const auto& h : inventory.hosts) {
      if (unreachable.contains(h.name)) continue;
      for (const auto& p : h.ports) {
        if (p.eps && p.eps->switch_name == sw.name) ports.push_back({h.name, p.name});
      }
    }
    auto rounds = circle_rounds(ports.size());
    if (a.k_batch && a.k < rounds.size()) rounds.resize(a.k);
    for (const auto& round : rounds) {
      for (const auto& [i, j] : round) {
        // Both ends in one host: its kernel would deliver locally, the switch never crossed.
        if (ports[i].host == ports[j].host) continue;
        requests.push_back({.a = ports[i], .b = ports[j], .via = PartKind::eps_pair, .round = 0,
                            .path = health::test_part_name(PartKind::eps_pair, ports[i].str(), ports[j].str())});
      }
    }
  }
  return requests;
}

// Judges a batch of tests against the run's peers (`earlier`: the run's tests before them) and
// marks the items of those that fail it.
void judge(std::vector<PairTestOutcome>& outcomes, const std::vector<PairTest>& earlier, double peer_fraction) {
  std::vector<PairTest> tests;
  for (const auto& o : outcomes) tests.push_back(o.test);
  health::judge_against_peers(tests, earlier, peer_fraction);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    ItemResult& item = outcomes[i].item;
    const PairTest& t = tests[i];
    if (!t.passed && item.status == item_status::ok) {
      item.status = std::string(item_status::failed);
      item.message = t.detail;
    }
    if (t.threshold_gbps) item.data["threshold_gbps"] = *t.threshold_gbps;
    outcomes[i].test = t;
  }
}

// The retests, one round at a time: each round is planned from everything tested so far (its
// earlier rounds judged), so a suspect cleared in one round needs no second partner and a path
// whose ends were cleared is retested in the next.
std::vector<PairTestOutcome> retests(StepContext& ctx, AgentPool& agents, const BandwidthArgs& a, const health::HealthLedger::Snapshot& done,
                                     Timings& timings) {
  std::vector<PairTestOutcome> out;
  std::vector<PairTest> so_far = done.tests;
  int base = 0;
  for (const auto& t : done.tests) {
    if (t.via == a.retest_via) base = std::max(base, t.round);
  }
  for (int r = 0; r < a.rounds; ++r) {
    const int round = base + 1 + r;
    if (ctx.cancel.load() || ctx.expired()) break;
    const auto plan = health::plan_retest(so_far, ctx.inventory, a.retest_via, 1, done.unreachable_hosts);
    if (plan.empty()) break;
    std::vector<std::pair<PortRef, PortRef>> pairs;
    for (const auto& p : plan.front()) {
      auto pa = PortRef::parse(p.a);
      auto pb = PortRef::parse(p.b);
      if (!pa || !pb || involves(done.unreachable_hosts, *pa, *pb)) continue;
      pairs.emplace_back(*pa, *pb);
    }
    if (pairs.empty()) break;
    std::vector<PairTestOutcome> this_round;
    if (a.retest_via == PartKind::eps_pair) {
      std::vector<PairTestRequest> requests;
      for (const auto& [pa, pb] : pairs) {
        requests.push_back({.a = pa, .b = pb, .via = PartKind::eps_pair, .round = round,
                            .path = health::test_part_name(PartKind::eps_pair, pa.str(), pb.str())});
      }
      this_round = timed_tests(agents, ctx, requests, a, timings);
    } else {
      // The round as a topology, resolved through the inventory's cabling (a same-pair retest
      // makes the same circuit again, a>b as before).
      health::RetestRound kept;
      for (const auto& [pa, pb] : pairs) kept.push_back({.a = pa.str(), .b = pb.str(), .again = false});
      auto topology = health::retest_topology(kept, ctx.inventory, fmt::format("retest-{}", round));
      if (!topology) {
        for (const auto& [pa, pb] : pairs) {
          this_round.push_back(not_run(pa, pb, PartKind::circuit, round, std::string(item_status::failed),
                                       "not tested: the retest circuits do not resolve: " + topology.error().message));
        }
      } else {
        this_round = ocs_pass(ctx, agents, *topology, round, a, done.unreachable_hosts, false, timings);
      }
    }
    judge(this_round, so_far, a.peer_fraction);
    for (auto& o : this_round) {
      so_far.push_back(o.test);
      out.push_back(std::move(o));
    }
  }
  return out;
}

std::string_view mode_label(const BandwidthArgs& a) {
  switch (a.mode) {
    case Mode::topology: return "topology";
    case Mode::eps: return a.k_batch ? "eps k-batch" : "eps circle";
    case Mode::retest: return a.retest_via == PartKind::circuit ? "retest circuits" : "retest electrical pairs";
  }
  return "";
}

}  // namespace

Result<void> HealthBandwidthModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  if (is_templated(args)) return module_args::only_keys(args, {"topology", "eps", "retest", "duration", "threshold", "line_rate_gbps",
                                                                "peer_fraction", "timeout", "verify_deadline", "k", "rounds", "parallel"});
  auto parsed = parse_args(args, vc.topologies);
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

StepResult HealthBandwidthModule::run(const nlohmann::json& args, StepContext& ctx) {
  auto parsed = parse_args(args, ctx.topologies);
  if (!parsed) return module_args::step_error(parsed.error());
  const BandwidthArgs& a = *parsed;
  StepResult result;
  if (ctx.check_mode) {
    result.message = fmt::format("would run the {} bandwidth tests ({} s each); nothing sent (check mode)", mode_label(a),
                                 a.traffic.duration_s);
    return result;
  }
  auto agents = ctx.agents();
  if (!agents) return module_args::step_error(agents.error());
  auto& ledger = health::ledger_of(ctx.state);
  // Before a retest, every earlier test is judged again against all the figures measured so far
  // (cover-1 was judged before cover-2 existed): a path slow next to the whole run is retested
  // now rather than failed by the report's rules after one sample.
  if (a.mode == Mode::retest) ledger.rejudge_tests(a.peer_fraction, a.retest_via);
  const auto before = ledger.snapshot();

  Timings timings;
  std::vector<PairTestOutcome> outcomes;
  std::string label;
  switch (a.mode) {
    case Mode::topology: {
      const Topology* topology = ctx.topologies.find(a.topology);
      label = "topology " + a.topology;
      outcomes = ocs_pass(ctx, **agents, *topology, 0, a, before.unreachable_hosts, true, timings);
      break;
    }
    case Mode::eps: {
      label = std::string(mode_label(a));
      outcomes = timed_tests(**agents, ctx, eps_requests(ctx.inventory, a, before.unreachable_hosts), a, timings);
      break;
    }
    case Mode::retest:
      label = std::string(mode_label(a));
      outcomes = retests(ctx, **agents, a, before, timings);
      break;
  }

  // Judge against the run's peers: this step's figures and every earlier one through the same
  // kind of part (retests are judged round by round, as they are planned).
  if (a.mode != Mode::retest) judge(outcomes, before.tests, a.peer_fraction);

  std::map<std::string, int> counts;
  const std::int64_t now = realtime_ns();
  std::vector<ItemResult> items;
  items.reserve(outcomes.size());
  for (const auto& o : outcomes) {
    const PairTest& t = o.test;
    items.push_back(o.item);
    counts[t.passed ? "passed" : "failed"] += 1;
    health::Observation obs{.kind = t.via, .part = t.path, .figure = "bandwidth_gbps", .value = t.gbps, .unit = "Gb/s",
                            .source = fmt::format("health.bandwidth {} round {}", label, t.round), .at_ns = now,
                            .retest = t.round > 0};
    if (!t.gbps) obs.why_missing = t.detail;
    ledger.add(std::move(obs));
    ledger.add(t);
  }
  ctx.sink.record_all(items);

  result.data = {{"mode", mode_label(a)}, {"label", label}, {"tests", outcomes.size()}, {"counts", counts},
                 {"seconds", {{"reconfig", timings.reconfig_s}, {"verify", timings.verify_s}, {"traffic", timings.traffic_s}, {"sending", timings.sending_s}, {"counters", timings.counters_s}}},
                 {"traffic_seconds_per_test", a.traffic.duration_s}};
  result.message = fmt::format("{}: {} test(s), {} passed, {} failed (reconfig {:.2f} s, verify {:.2f} s, traffic {:.2f} s)", label,
                               outcomes.size(), counts["passed"], counts["failed"], timings.reconfig_s, timings.verify_s,
                               timings.traffic_s);
  return result;
}

}  // namespace mixnet::coord
