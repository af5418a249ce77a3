#include "coordinator/modules/measure_reconfig.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/link_verifier.hpp"
#include "coordinator/measure/breakdown.hpp"
#include "coordinator/measure/ground_truth.hpp"
#include "coordinator/measure/lost_moments.hpp"
#include "coordinator/measure/measurement_doc.hpp"
#include "coordinator/measure/reports.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/modules/measure_inputs.hpp"
#include "coordinator/modules/measure_traffic.hpp"
#include "coordinator/modules/ocs_apply.hpp"
#include "coordinator/ocs/apply_plan.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::coord {

namespace m = measure;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
// Reading journals, clocks and the ground truth: each call bounded by this (and the step's deadline).
constexpr std::int64_t kIoDeadlineNs = 10 * kSecond;

struct Args {
  std::vector<const Topology*> topologies;
  int repetitions = 5;
  double deadline_s = 30;
  double settle_s = 0.2;
  int clock_samples = 16;
  bool ground_truth = true;
  double truth_bound_ms = 1.0;
  // Probe each link the moment both its ends are up (identity as soon as possible), or only once
  // every changing port is up: the probes' HTTP work then cannot delay an agent's reading of a
  // later carrier event (one event loop per agent), at the price of link_up_to_identity including
  // the wait for the slowest port.
  bool probe_after_all_up = false;
  ReconfigTrafficArgs traffic;   // timeline streams over each new circuit (measure_traffic.hpp)
};

Result<Args> parse_args(const nlohmann::json& args, const TopologySet& set, bool check_topologies) {
  if (auto ok = io_args::only_keys(args, {"topologies", "repetitions", "deadline", "settle", "clock_samples", "ground_truth",
                                          "truth_bound_ms", "traffic", "identity_probe"});
      !ok) {
    return std::unexpected(ok.error());
  }
  Args a;
  if (!args.is_object() || !args.contains("topologies")) return fail(Errc::invalid_argument, "required: a list of topologies to alternate", "topologies");
  if (check_topologies || !is_templated(args.at("topologies"))) {
    const auto& list = args.at("topologies");
    if (!list.is_array() || list.size() < 2) return fail(Errc::invalid_argument, "must be a list of at least two topology names", "topologies");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string field = fmt::format("topologies[{}]", i);
      if (!list[i].is_string()) return fail(Errc::invalid_argument, "must be a topology name", field);
      const Topology* t = set.find(list[i].get<std::string>());
      if (t == nullptr) return fail(Errc::invalid_argument, "unknown topology '" + list[i].get<std::string>() + "'", field);
      a.topologies.push_back(t);
    }
  }
  struct Num {
    const char* key;
    double min, max;
  };
  for (const Num& n : {Num{"repetitions", 1, 10000}, Num{"deadline", 0.1, 3600}, Num{"settle", 0, 60}, Num{"clock_samples", 1, 100},
                       Num{"truth_bound_ms", 0.001, 60000}}) {
    if (!check_topologies && io_args::templated(args, n.key)) continue;
    auto v = io_args::number_arg(args, n.key, n.min, n.max);
    if (!v) return std::unexpected(v.error());
    if (!*v) continue;
    const std::string k = n.key;
    if (k == "repetitions") a.repetitions = static_cast<int>(**v);
    if (k == "deadline") a.deadline_s = **v;
    if (k == "settle") a.settle_s = **v;
    if (k == "clock_samples") a.clock_samples = static_cast<int>(**v);
    if (k == "truth_bound_ms") a.truth_bound_ms = **v;
  }
  if (check_topologies || !io_args::templated(args, "ground_truth")) {
    auto g = io_args::bool_arg(args, "ground_truth");
    if (!g) return std::unexpected(g.error());
    if (*g) a.ground_truth = **g;
  }
  if (check_topologies || !io_args::templated(args, "identity_probe")) {
    auto p = io_args::string_arg(args, "identity_probe");
    if (!p) return std::unexpected(p.error());
    if (*p && **p != "at_link_up" && **p != "after_all_up") {
      return fail(Errc::invalid_argument, "must be at_link_up or after_all_up, got '" + **p + "'", "identity_probe");
    }
    a.probe_after_all_up = *p && **p == "after_all_up";
  }
  if (args.contains("traffic") && (check_topologies || !is_templated(args.at("traffic")))) {
    auto t = parse_reconfig_traffic(args.at("traffic"));
    if (!t) return std::unexpected(t.error());
    a.traffic = *t;
  }
  return a;
}

// "h1:ocs0 - h2:ocs1" in a canonical order, to compare circuits of two topologies.
std::pair<std::string, std::string> circuit_key(const Circuit& c) {
  auto a = c.a.str(), b = c.b.str();
  return a < b ? std::pair{a, b} : std::pair{b, a};
}

// The circuits of `to` that `from` does not have: the ones a repetition makes.
std::vector<Circuit> new_circuits(const Topology* from, const Topology& to) {
  std::set<std::pair<std::string, std::string>> before;
  if (from != nullptr) for (const auto& c : from->circuits) before.insert(circuit_key(c));
  std::vector<Circuit> out;
  for (const auto& c : to.circuits) {
    if (!before.contains(circuit_key(c))) out.push_back(c);
  }
  return out;
}

}  // namespace

std::vector<PortRef> changing_ports(const Topology* from, const Topology& to) {
  std::set<std::pair<std::string, std::string>> before, after;
  if (from != nullptr) for (const auto& c : from->circuits) before.insert(circuit_key(c));
  for (const auto& c : to.circuits) after.insert(circuit_key(c));
  std::vector<PortRef> out;
  std::set<std::string> seen;
  auto add = [&](const PortRef& p) {
    if (seen.insert(p.str()).second) out.push_back(p);
  };
  for (const auto& c : to.circuits) {
    if (!before.contains(circuit_key(c))) {
      add(c.a);
      add(c.b);
    }
  }
  if (from != nullptr) {
    for (const auto& c : from->circuits) {
      if (!after.contains(circuit_key(c))) {
        add(c.a);
        add(c.b);
      }
    }
  }
  return out;
}

namespace {

// The other end of `p`'s circuit in `t`; nullopt when `t` leaves it unconnected (or t is null).
std::optional<PortRef> peer_in(const Topology* t, const PortRef& p) {
  if (t == nullptr) return std::nullopt;
  for (const auto& c : t->circuits) {
    if (c.a == p) return c.b;
    if (c.b == p) return c.a;
  }
  return std::nullopt;
}

// The switch a port is cabled to (empty: none).
std::string switch_of(const Inventory& inv, const PortRef& p) {
  for (const auto& h : inv.hosts) {
    if (h.name != p.host) continue;
    const HostPort* hp = h.find_port(p.port);
    if (hp != nullptr && hp->ocs) return hp->ocs->switch_name;
  }
  return {};
}

// Drives every cabled OCS switch to `to` (fewest changes, one change set per switch): the timing
// per switch (absent when nothing had to change on it).
Result<std::map<std::string, ocs::Timing>> apply_topology(const Topology& to, StepContext& ctx, SwitchPool& pool) {
  std::map<std::string, ocs::Timing> timing;
  for (const std::string& sw_name : cabled_ocs_switches(ctx.inventory)) {
    auto sw = pool.get(sw_name);
    if (!sw) return std::unexpected(sw.error());
    auto current = (*sw)->list();
    if (!current) return std::unexpected(current.error().context("switch " + sw_name + ": list cross-connects"));
    std::vector<ocs::CrossConnect> wanted;
    if (auto it = to.per_switch.find(sw_name); it != to.per_switch.end()) wanted = it->second;
    const ApplyPlan plan = plan_apply(current->value, wanted, inventory_switch_ports(ctx.inventory, sw_name), ApplyMode::fewest_changes);
    if (!plan.empty()) {
      auto done = (*sw)->apply(plan.change_set());
      if (!done) return std::unexpected(done.error().context("switch " + sw_name + ": apply " + to.name));
      timing[sw_name] = done->timing;
    }
    ctx.state.topology_of_switch[sw_name] = to.name;
  }
  return timing;
}

// When both directions of the identity probe were confirmed (coordinator clock), from a
// links.verify item's data; 0 when not confirmed.
std::int64_t identity_confirmed_ns(const ItemResult& item) {
  if (item.status != item_status::ok) return 0;
  std::int64_t latest = 0;
  for (const char* dir : {"probe_out", "probe_in"}) {
    const auto& d = item.data.value(dir, nlohmann::json::object());
    const std::int64_t t = d.value("confirmed_ns", std::int64_t{0});
    if (t == 0) return 0;
    latest = std::max(latest, t);
  }
  return latest;
}

using EventsByHost = JournalReader::EventsByHost;

void append_events(EventsByHost& into, EventsByHost more) {
  for (auto& [h, list] : more) into[h].insert(into[h].end(), list.begin(), list.end());
}

// True when every port has lost carrier and come back since the mark (its last carrier event is
// a link_up, after a link_down).
bool all_came_back(const EventsByHost& events, const std::vector<PortRef>& ports) {
  for (const auto& p : ports) {
    bool down = false, up = false;
    if (auto it = events.find(p.host); it != events.end()) {
      for (const auto& ev : it->second) {
        if (ev.port != p.port) continue;
        if (ev.kind == "link_down") {
          down = true;
          up = false;
        } else if (ev.kind == "link_up") {
          up = true;
        }
      }
    }
    if (!down || !up) return false;
  }
  return true;
}

double ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

nlohmann::json row_data(const m::PortBreakdown& b) {
  nlohmann::json moments = nlohmann::json::object(), segments = nlohmann::json::object();
  for (std::size_t i = 0; i < m::kMomentCount; ++i) {
    const auto& mv = b.moments[i];
    if (mv.at) moments[std::string(m::kMomentNames[i])] = {{"ns", mv.at->ns}, {"uncertainty_ns", mv.at->uncertainty_ns}};
    else moments[std::string(m::kMomentNames[i])] = {{"missing", mv.missing_reason}};
  }
  for (std::size_t i = 0; i < m::kSegmentCount; ++i) {
    const auto& s = b.segments[i];
    nlohmann::json j = {{"status", m::to_string(s.status)}};
    if (s.status != m::SegmentStatus::missing) {
      j["ms"] = ms(s.ns);
      j["uncertainty_ms"] = ms(s.uncertainty_ns);
    }
    if (!s.reason.empty()) j["reason"] = s.reason;
    segments[std::string(m::kSegments[i].name)] = j;
  }
  return {{"repetition", b.repetition}, {"from_topology", b.from_topology}, {"to_topology", b.to_topology},
          {"moments", moments}, {"segments", segments}, {"flaps", b.flaps}, {"switch_recoveries", b.switch_recovery.count}};
}

const Switch* truth_switch(const Inventory& inv) {
  for (const auto& name : cabled_ocs_switches(inv)) {
    for (const auto& s : inv.switches) {
      if (s.name == name && s.ground_truth) return &s;
    }
  }
  return nullptr;
}

}  // namespace

Result<void> MeasureReconfigModule::validate(const nlohmann::json& args, const ValidationContext& vc) const {
  auto a = parse_args(args, vc.topologies, false);
  if (!a) return std::unexpected(a.error());
  return {};
}

StepResult MeasureReconfigModule::run(const nlohmann::json& args, StepContext& ctx) {
  auto parsed = parse_args(args, ctx.topologies, true);
  if (!parsed) return io_args::step_error(parsed.error());
  const Args& a = *parsed;
  std::string title = "reconfig-latency: ";
  for (std::size_t i = 0; i < a.topologies.size(); ++i) title += (i ? " <-> " : "") + a.topologies[i]->name;

  StepResult result;
  if (ctx.check_mode) {
    result.changed = true;
    result.message = fmt::format("would measure {} repetition(s) of {}", a.repetitions, title.substr(18));
    return result;
  }
  auto pool = ctx.agents();
  if (!pool) return io_args::step_error(pool.error());
  auto switches = ctx.switches();
  if (!switches) return io_args::step_error(switches.error());
  AgentPool& agents = **pool;

  // The hosts whose ports take part.
  std::vector<std::string> hosts;
  for (const auto* t : a.topologies) {
    for (const auto& c : t->circuits) {
      for (const auto* p : {&c.a, &c.b}) {
        if (std::ranges::find(hosts, p->host) == hosts.end()) hosts.push_back(p->host);
      }
    }
  }
  auto io_deadline = [&] { return std::min(monotonic_ns() + kIoDeadlineNs, ctx.deadline_ns); };

  // Ground truth (the lab): mark where this measurement starts in the emulator's logs.
  std::optional<TruthReader> truth_reader;
  if (a.ground_truth) {
    if (const Switch* sw = truth_switch(ctx.inventory)) {
      auto r = TruthReader::open(*sw->ground_truth);
      if (!r) return io_args::step_error(r.error());
      if (auto ok = r->mark(io_deadline()); !ok) return io_args::step_error(ok.error());
      truth_reader = std::move(*r);
    }
  }

  // Clocks, before.
  ctx.sink.note(fmt::format("aligning clocks: {} round trips to {} agent(s)", a.clock_samples, hosts.size()));
  const auto before = sample_clocks(agents, hosts, a.clock_samples, io_deadline());
  std::map<std::string, m::ClockOffset> offsets;
  std::vector<m::ClockOffset> clocks;
  for (const auto& h : hosts) {
    auto it = before.samples.find(h);
    if (it == before.samples.end()) {
      const auto e = before.errors.find(h);
      return StepResult::failure("clock alignment: " + h + ": " + (e != before.errors.end() ? e->second : "no sample"));
    }
    auto off = m::estimate_offset("agent:" + h, it->second);
    if (!off) return StepResult::failure("clock alignment: " + h + ": " + off.error().message);
    offsets[h] = *off;
    clocks.push_back(*off);
  }

  JournalReader journal(agents);
  if (auto ok = journal.mark(hosts, io_deadline()); !ok) return io_args::step_error(ok.error());

  // The topology in place before the first repetition, when ocs.apply said so.
  const Topology* current = nullptr;
  if (!ctx.state.topology_of_switch.empty()) current = ctx.topologies.find(ctx.state.topology_of_switch.begin()->second);

  std::vector<m::PortBreakdown> rows;
  std::vector<std::string> problems;
  std::size_t failed_items = 0;
  // The report's throughput figure: each circuit of the first repetition that had streams.
  std::vector<m::TimelineExcerpt> excerpts;
  std::set<std::pair<std::int64_t, std::size_t>> excerpted;   // a circuit's two ports share a timeline
  int excerpt_rep = 0;
  // Without traffic the rule is only recorded (the baseline reference needs no line rate, so the
  // document reads back: measurement_from_json validates the rule).
  const m::FullRateRule rule = a.traffic.enabled ? a.traffic.rule : m::FullRateRule{.reference = m::Reference::baseline};
  for (int rep = 1; rep <= a.repetitions; ++rep) {
    if (ctx.cancel.load()) {
      problems.push_back(fmt::format("cancelled before repetition {}", rep));
      break;
    }
    if (ctx.expired()) {
      problems.push_back(fmt::format("the step's time ran out before repetition {}", rep));
      break;
    }
    const Topology& to = *a.topologies[static_cast<std::size_t>(rep) % a.topologies.size()];
    const std::string from_name = current != nullptr ? current->name : "unknown";
    const auto ports = changing_ports(current, to);
    ctx.sink.note(fmt::format("repetition {}/{}: {} -> {} ({} ports change)", rep, a.repetitions, from_name, to.name, ports.size()));

    // Events since the last read belong to no repetition's window: drop them.
    if (auto drained = journal.read(hosts, io_deadline()); !drained) return io_args::step_error(drained.error());

    // Streams over the circuits this repetition makes, started before the command so their
    // timelines hold the whole outage; they live until stopped below (or the deadline).
    std::optional<ReconfigTraffic> traffic;
    if (a.traffic.enabled) {
      const auto circuits = new_circuits(current, to);
      const auto life_ms = static_cast<std::int64_t>(a.deadline_s * 1000 + a.settle_s * 1000) + a.traffic.after_ns / 1'000'000 + 2000;
      traffic.emplace(ReconfigTraffic::start(agents, ctx.inventory, circuits, a.traffic, life_ms, io_deadline()));
      ctx.sink.note(fmt::format("repetition {}: timeline streams on {} of {} new circuit(s)", rep, traffic->running(), circuits.size()));
    }

    const Topology* from = current;
    auto timing = apply_topology(to, ctx, **switches);
    if (!timing) {
      problems.push_back(fmt::format("repetition {}: {}", rep, timing.error().message));
      result.ok = false;
      break;
    }
    current = &to;

    EventsByHost events;
    const std::int64_t rep_deadline = std::min(monotonic_ns() + static_cast<std::int64_t>(a.deadline_s * 1e9), ctx.deadline_ns);
    if (a.probe_after_all_up) {
      // Long-poll the journals until every changing port is back (bounded by the deadline); a
      // port that never comes back is then reported by the verifier (dark, one-sided).
      auto back = journal.watch_until(hosts, rep_deadline, events, [&](const EventsByHost& e) { return all_came_back(e, ports); },
                                      &ctx.cancel, std::chrono::milliseconds(25));
      if (!back) return io_args::step_error(back.error());
    }

    std::vector<ExpectedLink> links;
    for (const auto& c : to.circuits) links.push_back({c.a, c.b});
    LinkVerifyOptions vo;
    vo.deadline_ns = rep_deadline;
    for (const auto& h : ctx.inventory.hosts) vo.all_hosts.push_back(h.name);
    vo.cancel = &ctx.cancel;
    const auto verified = verify_links(agents, links, vo);
    std::map<std::string, const ItemResult*> verdict;
    for (const auto& it : verified.items) verdict[it.id] = &it;

    // Settle; with traffic, at least long enough for the streams' hold and settled window.
    std::int64_t settle_ns = static_cast<std::int64_t>(a.settle_s * 1e9);
    if (traffic) settle_ns = std::max(settle_ns, a.traffic.after_ns);
    if (settle_ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(settle_ns));
    std::map<std::string, Result<m::Timeline>> timelines;
    if (traffic) timelines = traffic->stop(agents, offsets, io_deadline());
    auto last = journal.read(hosts, io_deadline());
    if (!last) return io_args::step_error(last.error());
    append_events(events, std::move(*last));
    const std::int64_t window_end = realtime_ns();

    for (const auto& p : ports) {
      m::PortInputs in;
      in.repetition = rep;
      in.port = p.str();
      in.from_topology = from_name;
      in.to_topology = to.name;
      if (auto t = timing->find(switch_of(ctx.inventory, p)); t != timing->end()) {
        in.cmd_sent = m::coordinator_time(t->second.sent_ns);
        if (t->second.acked_ns != 0) in.switch_ack = m::coordinator_time(t->second.acked_ns);
        in.switch_recovery = {t->second.recoveries, t->second.recovery_cause, t->second.acked_by_read_back};
      }
      // A port's carrier events, aligned onto the coordinator's clock.
      const auto link_events = [&](const PortRef& port) {
        std::vector<m::LinkEvent> out;
        const auto& off = offsets.at(port.host);
        for (const auto& ev : events[port.host]) {
          if (ev.port != port.port) continue;
          if (auto kind = m::link_event_kind(ev.kind)) out.push_back({m::align(off, ev.time_ns), *kind});
        }
        return out;
      };
      in.link_events = link_events(p);
      const auto peer = peer_in(&to, p);
      if (peer && offsets.contains(peer->host)) in.peer_link_events = link_events(*peer);
      in.window_end_ns = window_end;
      const ItemResult* v = verdict.contains(p.str()) ? verdict.at(p.str()) : nullptr;
      if (v != nullptr) {
        if (const auto t = identity_confirmed_ns(*v); t != 0) in.identity_confirmed = m::coordinator_time(t);
      }
      std::string traffic_problem;
      if (traffic) {
        if (auto t = timelines.find(p.str()); t != timelines.end()) {
          if (t->second) in.traffic = *t->second;
          else traffic_problem = t->second.error().message;
        }
      }
      auto b = m::compute_breakdown(in, rule);
      if (in.traffic && (excerpt_rep == 0 || excerpt_rep == rep) &&
          excerpted.insert({in.traffic->start.ns, in.traffic->bytes.size()}).second) {
        excerpt_rep = rep;
        excerpts.push_back(m::make_excerpt(*in.traffic, b));
      }
      if (!traffic_problem.empty()) {
        for (auto* seg : {&b.segments[*m::segment_index("link_up_to_traffic")], &b.segments[*m::segment_index("cmd_to_traffic")]}) {
          seg->reason = traffic_problem;
        }
      }

      ItemResult item;
      item.kind = "port";
      item.id = fmt::format("{} #{}", p.str(), rep);
      item.hosts = {p.host};
      item.data = row_data(b);
      item.started_ns = in.cmd_sent ? in.cmd_sent->ns : window_end;
      item.finished_ns = window_end;
      const auto& up = b.moment(m::Moment::link_up);
      // A moment the reconfiguration should have produced and the measurement lost fails the
      // port: the row is not a measurement of it (and would drop out of the percentiles).
      const auto lost = m::lost_moments(b, {.was_lit = peer_in(from, p).has_value(), .connected = v != nullptr,
                                            .traffic = traffic.has_value()});
      if (v == nullptr) {
        // A port the new topology leaves dark: only its carrier loss counts.
        item.status = lost.empty() ? item_status::ok : item_status::failed;
        item.message = "left unconnected by " + to.name + (lost.empty() ? "" : ", but " + m::describe_lost(b, lost));
      } else if (v->status != item_status::ok) {
        item.status = v->status;
        item.message = "links.verify: " + v->message;
      } else if (!up.at) {
        // Before the traffic verdict, which would only say that link_up is missing; named like any
        // other lost moment, with whichever others this port lost too (carrier_lost, say).
        item.status = item_status::failed;
        item.message = "identity confirmed, but " + m::describe_lost(b, lost);
      } else if (const auto& tr = b.segments[*m::segment_index("link_up_to_traffic")];
                 traffic && tr.status == m::SegmentStatus::missing) {
        // Asked to measure traffic, and it did not come back at full rate (or could not be read).
        item.status = item_status::failed;
        item.message = "traffic not back at full rate: " + (tr.reason.empty() ? b.moment(m::Moment::traffic_full_rate).missing_reason : tr.reason);
      } else if (!lost.empty()) {
        item.status = item_status::failed;
        item.message = "identity confirmed, but " + m::describe_lost(b, lost);
      } else {
        item.status = item_status::ok;
        const auto& seg = b.segments[*m::segment_index("cmd_to_link_up")];
        item.message = seg.status == m::SegmentStatus::ok ? fmt::format("link up {:.3f} ms after the command", ms(seg.ns))
                                                          : "cmd_to_link_up " + std::string(m::to_string(seg.status)) + ": " + seg.reason;
      }
      if (!item.passed()) ++failed_items;
      ctx.sink.record(item);
      rows.push_back(std::move(b));
    }
  }

  // Clocks, after: the offset must not have moved by more than both uncertainties.
  nlohmann::json after_json = nlohmann::json::array();
  const auto after = sample_clocks(agents, hosts, a.clock_samples, io_deadline());
  for (const auto& [h, samples] : after.samples) {
    auto off = m::estimate_offset("agent:" + h, samples);
    if (!off) continue;
    const auto& b = offsets.at(h);
    const bool moved = std::llabs(off->offset_ns - b.offset_ns) > off->uncertainty_ns + b.uncertainty_ns;
    after_json.push_back({{"clock", off->clock}, {"offset_ns", off->offset_ns}, {"uncertainty_ns", off->uncertainty_ns},
                          {"moved", moved}});
    if (moved) problems.push_back(fmt::format("clock of {} moved by {} ns during the measurement", h, off->offset_ns - b.offset_ns));
  }

  std::optional<m::GroundTruth> truth;
  if (truth_reader) {
    auto got = truth_reader->read(io_deadline());
    if (!got) return io_args::step_error(got.error());
    auto parsed_truth = m::parse_ground_truth(got->first, got->second);
    if (!parsed_truth) return io_args::step_error(parsed_truth.error().context("ground truth"));
    truth = std::move(*parsed_truth);
  }
  m::TruthOptions topt;
  topt.bound_ns = static_cast<std::int64_t>(a.truth_bound_ms * 1e6);
  m::Measurement doc = m::assemble(title, rule, clocks, rows, truth ? &*truth : nullptr, topt, std::move(excerpts));
  doc.run_id = ctx.state.run_id;

  result.data = m::to_json(doc);
  result.data["clocks_after"] = after_json;
  result.data["identity_probe"] = a.probe_after_all_up ? "after_all_up" : "at_link_up";
  result.changed = !rows.empty();

  std::string reports_line;
  if (!ctx.state.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(ctx.state.out_dir, ec);
    auto paths = m::write_reports(doc, ctx.state.out_dir);
    if (!paths) problems.push_back("reports: " + paths.error().message);
    else reports_line = fmt::format("report: {} (csv {})", paths->html, paths->csv);
  }

  if (failed_items > 0) {
    result.ok = false;
    problems.push_back(fmt::format("{} port measurement(s) failed", failed_items));
  }
  if (doc.truth_check && !doc.truth_check->pass) {
    result.ok = false;
    problems.push_back("ground truth: " + doc.truth_check->message);
  }
  result.message = fmt::format("{} repetition(s), {} port row(s){}", rows.empty() ? 0 : rows.back().repetition, rows.size(),
                               doc.truth_check ? (doc.truth_check->pass ? ", ground truth PASS" : ", ground truth FAIL") : "");
  for (const auto& p : problems) result.message += "; " + p;
  result.message += "\n" + m::render_summary_text(doc);
  if (!reports_line.empty()) result.message += reports_line;
  return result;
}

}  // namespace mixnet::coord
