#include "coordinator/reconfig/reconfig_run.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/agents/clock_sampler.hpp"
#include "coordinator/engine/interruptible_sleep.hpp"
#include "coordinator/measure/ground_truth.hpp"
#include "coordinator/measure/reports.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/reconfig/reconfig_changes.hpp"
#include "coordinator/reconfig/truth_merge.hpp"
#include "coordinator/ocs/apply_topology.hpp"
#include "coordinator/ocs/switch_cabling.hpp"
#include "coordinator/ocs/switch_pool.hpp"
#include "coordinator/traffic/reconfig_traffic.hpp"
#include "coordinator/verify/link_verifier.hpp"

namespace mixnet::coord {

namespace m = measure;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
// Reading journals, clocks and the ground truth: each call bounded by this (and the step's deadline).
constexpr std::int64_t kIoDeadlineNs = 10 * kSecond;

using EventsByHost = JournalReader::EventsByHost;

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

void append_events(EventsByHost& into, EventsByHost more) {
  for (auto& [h, list] : more) into[h].insert(into[h].end(), list.begin(), list.end());
}

// Every cabled switch that has a ground truth (the lab: one emulator per region), in inventory order.
std::vector<const Switch*> truth_switches(const Inventory& inv) {
  std::vector<const Switch*> out;
  for (const auto& name : cabled_ocs_switches(inv)) {
    const Switch* s = inv.find_switch(name);
    if (s != nullptr && s->ground_truth) out.push_back(s);
  }
  return out;
}

// The hosts whose ports take part, in the order the topologies name them.
std::vector<std::string> hosts_of(const std::vector<const Topology*>& topologies) {
  std::vector<std::string> hosts;
  for (const auto* t : topologies) {
    for (const auto& c : t->circuits) {
      for (const auto* p : {&c.a, &c.b}) {
        if (std::ranges::find(hosts, p->host) == hosts.end()) hosts.push_back(p->host);
      }
    }
  }
  return hosts;
}

}  // namespace

struct ReconfigRun::Repetition {
  RepetitionRecord record;
  std::vector<PortRef> ports;               // the ports this repetition changes
  std::optional<ReconfigTraffic> traffic;   // its timeline streams, while they run
  std::int64_t deadline_ns = 0;             // monotonic_ns(): every link verified by then
};

ReconfigRun::ReconfigRun(const ReconfigArgs& args, StepContext& ctx, AgentPool& agents, SwitchPool& switches)
    : args_(args),
      ctx_(ctx),
      agents_(agents),
      switches_(switches),
      rule_(args.traffic.enabled ? args.traffic.rule : m::FullRateRule{.reference = m::Reference::baseline}),
      hosts_(hosts_of(args.topologies)),
      journal_(agents) {
  // The topology in place before the first repetition, when ocs.apply said so.
  if (!ctx.state.topology_of_switch.empty()) current_ = ctx.topologies.find(ctx.state.topology_of_switch.begin()->second);
}

std::int64_t ReconfigRun::io_deadline() const { return std::min(monotonic_ns() + kIoDeadlineNs, ctx_.deadline_ns); }

PhaseResult<> ReconfigRun::prepare() {
  // Ground truth (the lab): mark where this measurement starts in the emulator's logs.
  if (args_.ground_truth) {
    for (const Switch* sw : truth_switches(ctx_.inventory)) {
      auto r = TruthReader::open(*sw->ground_truth);
      if (!r) return std::unexpected(module_args::step_error(r.error().context("switch " + sw->name)));
      if (auto ok = r->mark(io_deadline()); !ok) return std::unexpected(module_args::step_error(ok.error().context("switch " + sw->name)));
      truths_.push_back(std::move(*r));
    }
  }
  ctx_.sink.note(fmt::format("aligning clocks: {} round trips to {} agent(s)", args_.clock_samples, hosts_.size()));
  const auto before = align_clocks(agents_, hosts_, args_.clock_samples, io_deadline());
  for (const auto& h : hosts_) {
    if (auto e = before.errors.find(h); e != before.errors.end()) {
      return std::unexpected(StepResult::failure("clock alignment: " + h + ": " + e->second));
    }
    offsets_[h] = before.offsets.at(h);
    clocks_.push_back(before.offsets.at(h));
  }
  if (auto ok = journal_.mark(hosts_, io_deadline()); !ok) return std::unexpected(module_args::step_error(ok.error()));
  return {};
}

PhaseResult<bool> ReconfigRun::repetition(int number) {
  if (!may_start(number)) return false;
  auto rep = begin(number);
  if (!rep) return std::unexpected(rep.error());
  start_traffic(*rep);
  if (!apply(*rep)) return false;
  if (auto ok = watch(*rep); !ok) return std::unexpected(ok.error());
  verify(*rep);
  const SleepEnd settled = settle(*rep);
  if (auto ok = collect(*rep); !ok) return std::unexpected(ok.error());
  measure_ports(*rep);
  if (settled == SleepEnd::cancelled) {
    problems_.push_back(fmt::format("cancelled while repetition {} settled", number));
    return false;
  }
  return true;
}

bool ReconfigRun::may_start(int number) {
  if (ctx_.cancel.load()) {
    problems_.push_back(fmt::format("cancelled before repetition {}", number));
    return false;
  }
  if (ctx_.expired()) {
    problems_.push_back(fmt::format("the step's time ran out before repetition {}", number));
    return false;
  }
  return true;
}

PhaseResult<ReconfigRun::Repetition> ReconfigRun::begin(int number) {
  Repetition rep;
  rep.record.number = number;
  rep.record.from = current_;
  rep.record.to = args_.topologies[static_cast<std::size_t>(number) % args_.topologies.size()];
  rep.ports = changing_ports(current_, *rep.record.to);
  ctx_.sink.note(fmt::format("repetition {}/{}: {} -> {} ({} ports change)", number, args_.repetitions, rep.record.from_name(),
                             rep.record.to->name, rep.ports.size()));
  // Events since the last read belong to no repetition's window: drop them.
  if (auto drained = journal_.read(hosts_, io_deadline()); !drained) return std::unexpected(module_args::step_error(drained.error()));
  arm_carrier_polls(rep);
  return rep;
}

void ReconfigRun::arm_carrier_polls(const Repetition& rep) {
  // The agents read the changing ports' carrier closely for this repetition's window only (an
  // idle agent reads nothing): before the command, so the first change is caught at the period.
  // An agent without polling stamps from netlink alone; that is said, not a failure.
  std::map<std::string, std::vector<std::string>> by_host;
  for (const auto& p : rep.ports) by_host[p.host].push_back(p.port);
  std::vector<CarrierPollCall> calls;
  const auto window_ms = static_cast<std::uint64_t>((args_.deadline_s + args_.settle_s) * 1000) + 2000;
  for (auto& [host, ports] : by_host) {
    calls.push_back({.host = host, .request = {.ports = std::move(ports), .duration_ms = std::min(window_ms, wire::kMaxCarrierPollMs)}});
  }
  for (auto& reply : agents_.arm_carrier_poll(calls, io_deadline())) {
    if (reply.value) {
      carrier_poll_[reply.host] = {{"ports", reply.value->ports.size()}, {"period_us", reply.value->period_us}};
    } else {
      carrier_poll_[reply.host] = {{"not_armed", reply.value.error().message}};
    }
  }
}

void ReconfigRun::start_traffic(Repetition& rep) {
  if (!args_.traffic.enabled) return;
  // Streams over the circuits this repetition makes, started before the command so their
  // timelines hold the whole outage; they live until collect() stops them (or the deadline).
  const auto circuits = new_circuits(rep.record.from, *rep.record.to);
  const auto life_ms = static_cast<std::int64_t>(args_.deadline_s * 1000 + args_.settle_s * 1000) + args_.traffic.after_ns / 1'000'000 + 2000;
  rep.traffic.emplace(ReconfigTraffic::start(agents_, ctx_.inventory, circuits, args_.traffic, life_ms, io_deadline()));
  rep.record.traffic = true;
  ctx_.sink.note(fmt::format("repetition {}: timeline streams on {} of {} new circuit(s)", rep.record.number, rep.traffic->running(),
                             circuits.size()));
}

bool ReconfigRun::apply(Repetition& rep) {
  // Every cabled switch to `to` in one change set each; a failed switch ends the measurement.
  const auto applied = apply_topology(*rep.record.to, ctx_.inventory, switches_, {});
  for (const auto& sw : applied.switches) {
    if (sw.ok()) ctx_.state.topology_of_switch[sw.switch_name] = rep.record.to->name;
    if (sw.timing) rep.record.timing[sw.switch_name] = *sw.timing;
  }
  if (const auto* failed = applied.first_failure()) {
    problems_.push_back(fmt::format("repetition {}: {}", rep.record.number, failed->failure->error.message));
    switch_failed_ = true;
    return false;
  }
  current_ = rep.record.to;
  rep.deadline_ns = std::min(monotonic_ns() + static_cast<std::int64_t>(args_.deadline_s * 1e9), ctx_.deadline_ns);
  return true;
}

PhaseResult<> ReconfigRun::watch(Repetition& rep) {
  if (!args_.probe_after_all_up) return {};
  // Long-poll the journals until every changing port is back (bounded by the deadline); a port
  // that never comes back is then reported by the verifier (dark, one-sided).
  auto back = journal_.watch_until(hosts_, rep.deadline_ns, rep.record.events,
                                   [&](const EventsByHost& e) { return all_came_back(e, rep.ports); }, &ctx_.cancel,
                                   std::chrono::milliseconds(25));
  if (!back) return std::unexpected(module_args::step_error(back.error()));
  return {};
}

void ReconfigRun::verify(Repetition& rep) {
  std::vector<ExpectedLink> links;
  for (const auto& c : rep.record.to->circuits) links.push_back({c.a, c.b});
  LinkVerifyOptions vo;
  vo.deadline_ns = rep.deadline_ns;
  for (const auto& h : ctx_.inventory.hosts) vo.all_hosts.push_back(h.name);
  vo.cancel = &ctx_.cancel;
  for (auto& v : verify_links(agents_, links, vo).ports) rep.record.verdicts[v.port.str()] = std::move(v);
}

SleepEnd ReconfigRun::settle(Repetition& rep) {
  // With traffic, at least long enough for the streams' hold and settled window.
  std::int64_t settle_ns = static_cast<std::int64_t>(args_.settle_s * 1e9);
  if (rep.traffic) settle_ns = std::max(settle_ns, args_.traffic.after_ns);
  return sleep_for_ns(settle_ns, ctx_.cancel, ctx_.deadline_ns);
}

PhaseResult<> ReconfigRun::collect(Repetition& rep) {
  if (rep.traffic) rep.record.timelines = rep.traffic->stop(agents_, offsets_, io_deadline());
  auto last = journal_.read(hosts_, io_deadline());
  if (!last) return std::unexpected(module_args::step_error(last.error()));
  append_events(rep.record.events, std::move(*last));
  rep.record.window_end_ns = realtime_ns();
  return {};
}

void ReconfigRun::measure_ports(const Repetition& rep) {
  for (const auto& p : rep.ports) {
    PortRow row = measure_port(rep.record, p, ctx_.inventory, offsets_, rule_);
    const auto& traffic = row.inputs.traffic;
    if (traffic && (excerpt_rep_ == 0 || excerpt_rep_ == rep.record.number) &&
        excerpted_.insert({traffic->start.ns, traffic->bytes.size()}).second) {
      excerpt_rep_ = rep.record.number;
      excerpts_.push_back(m::make_excerpt(*traffic, row.breakdown));
    }
    if (!row.item.passed()) ++failed_items_;
    ctx_.sink.record(row.item);
    rows_.push_back(std::move(row.breakdown));
  }
}

nlohmann::json ReconfigRun::clocks_after() {
  // The offset must not have moved by more than both uncertainties.
  nlohmann::json out = nlohmann::json::array();
  const auto after = align_clocks(agents_, hosts_, args_.clock_samples, io_deadline());
  for (const auto& [h, off] : after.offsets) {
    const auto drift = m::drift_between(offsets_.at(h), off);
    out.push_back({{"clock", off.clock}, {"offset_ns", off.offset_ns}, {"uncertainty_ns", off.uncertainty_ns}, {"moved", drift.moved}});
    if (drift.moved) problems_.push_back(fmt::format("clock of {} moved by {} ns during the measurement", h, drift.ns));
  }
  return out;
}

PhaseResult<std::optional<m::GroundTruth>> ReconfigRun::read_truth() {
  if (truths_.empty()) return std::optional<m::GroundTruth>{};
  m::GroundTruth merged;
  for (std::size_t k = 0; k < truths_.size(); ++k) {
    auto got = truths_[k].read(io_deadline());
    if (!got) return std::unexpected(module_args::step_error(got.error()));
    if (auto ok = merge_truth(merged, std::move(*got), k); !ok) {
      // truths_ follows truth_switches(): prepare() opened every one of them, in that order.
      return std::unexpected(module_args::step_error(ok.error().context("ground truth of switch " + truth_switches(ctx_.inventory).at(k)->name)));
    }
  }
  return std::optional<m::GroundTruth>(std::move(merged));
}

StepResult ReconfigRun::finish() {
  StepResult result;
  result.ok = !switch_failed_;
  const nlohmann::json after_json = clocks_after();
  auto truth = read_truth();
  if (!truth) return truth.error();
  m::TruthOptions topt;
  topt.bound_ns = static_cast<std::int64_t>(args_.truth_bound_ms * 1e6);
  m::Measurement doc = m::assemble(args_.title(), rule_, clocks_, rows_, *truth ? &**truth : nullptr, topt, std::move(excerpts_));
  doc.run_id = ctx_.state.run_id;

  result.data = m::to_json(doc);
  result.data["clocks_after"] = after_json;
  result.data["identity_probe"] = args_.probe_after_all_up ? "after_all_up" : "at_link_up";
  result.data["carrier_poll"] = carrier_poll_;
  result.changed = !rows_.empty();

  std::string reports_line;
  if (!ctx_.state.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(ctx_.state.out_dir, ec);
    auto paths = m::write_reports(doc, ctx_.state.out_dir);
    if (!paths) problems_.push_back("reports: " + paths.error().message);
    else reports_line = fmt::format("report: {} (csv {})", paths->html, paths->csv);
  }

  if (failed_items_ > 0) {
    result.ok = false;
    problems_.push_back(fmt::format("{} port measurement(s) failed", failed_items_));
  }
  if (doc.truth_check && !doc.truth_check->pass) {
    result.ok = false;
    problems_.push_back("ground truth: " + doc.truth_check->message);
  }
  result.message = fmt::format("{} repetition(s), {} port row(s){}", rows_.empty() ? 0 : rows_.back().repetition, rows_.size(),
                               doc.truth_check ? (doc.truth_check->pass ? ", ground truth PASS" : ", ground truth FAIL") : "");
  for (const auto& p : problems_) result.message += "; " + p;
  result.message += "\n" + m::render_summary_text(doc);
  if (!reports_line.empty()) result.message += reports_line;
  return result;
}

}  // namespace mixnet::coord
