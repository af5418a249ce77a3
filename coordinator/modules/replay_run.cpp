#include "coordinator/modules/replay_run.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/ocs/apply_topology.hpp"
#include "coordinator/replay/replay_plan.hpp"
#include "coordinator/replay/replay_report.hpp"
#include "coordinator/topogen/circuit_reuse.hpp"
#include "coordinator/topogen/generators.hpp"
#include "coordinator/topogen/moe_trace.hpp"
#include "coordinator/topogen/quality.hpp"
#include "coordinator/traffic/transfer_dispatch.hpp"
#include "coordinator/verify/link_verifier.hpp"

namespace mixnet::coord {

namespace {

// Clock round trips per agent before the first layer: the shortest gives the offset that puts
// the senders' stamps on our clock (and the common start instant on theirs).
constexpr int kReplayClockSamples = 8;

}  // namespace

ReplayRun::ReplayRun(const ReplayArgs& args, StepContext& ctx) : args_(args), ctx_(ctx) {}

std::int64_t ReplayRun::io_deadline() const { return std::min(ctx_.deadline_ns, monotonic_ns() + 10'000'000'000); }

Result<void> ReplayRun::prepare() {
  auto trace = topogen::read_moe_trace(args_.trace);
  if (!trace) return std::unexpected(trace.error().context("trace"));
  const std::size_t count = std::min(trace->layers.size(), args_.layers.value_or(trace->layers.size()));
  if (args_.layers && *args_.layers > trace->layers.size()) {
    return fail(Errc::invalid_argument, fmt::format("the trace {} has {} layer(s), {} asked for", args_.trace, trace->layers.size(), *args_.layers), "layers");
  }
  std::vector<topogen::DemandMatrix> raw;
  for (std::size_t l = 0; l < count; ++l) {
    auto d = topogen::trace_layer_demand(*trace, l, args_.trace);
    if (!d) return std::unexpected(d.error());
    raw.push_back(std::move(*d));
  }

  replay::ReplaySetup& setup = result_.setup;
  setup.trace = args_.trace;
  setup.description = trace->description;
  setup.layers = count;
  setup.experts = trace->experts();
  setup.modes = args_.modes;
  for (const auto& h : ctx_.inventory.hosts) {
    if (std::find(trace->placement.begin(), trace->placement.end(), h.name) != trace->placement.end()) setup.hosts.push_back(h.name);
  }
  for (const auto& host : trace->placement) {
    if (ctx_.inventory.find_host(host) == nullptr) {
      return fail(Errc::invalid_argument, fmt::format("{}: the trace places experts on host '{}', which the inventory does not have", args_.trace, host), "trace");
    }
  }

  if (args_.line_rate_gbps) {
    setup.line_rate_gbps = *args_.line_rate_gbps;
    setup.line_rate_source = "line_rate_gbps";
  } else if (const auto stated = topogen::stated_line_rate_gbps(ctx_.inventory)) {
    setup.line_rate_gbps = *stated;
    setup.line_rate_source = "expect.speed_mbps";
  } else {
    return fail(Errc::invalid_argument,
                "no line rate: give line_rate_gbps, or state expect.speed_mbps on the data ports (mixnet-lab shape does)", "line_rate_gbps");
  }

  if (args_.scale) {
    setup.scale = *args_.scale;
    setup.scale_reason = "as the playbook asked (scale)";
  } else {
    auto scaling = replay::choose_scaling(raw, ctx_.inventory, setup.line_rate_gbps, args_.layer_seconds);
    if (!scaling) return std::unexpected(scaling.error());
    setup.scale = scaling->factor;
    setup.scale_reason = scaling->reason;
  }
  for (auto& d : raw) layers_.push_back(replay::scale_demand(d, setup.scale));

  if (std::find(args_.modes.begin(), args_.modes.end(), replay::ReplayMode::fixed) != args_.modes.end()) {
    auto t = topogen::generate_mixnet("replay-static", replay::sum_layers(layers_), ctx_.inventory);
    if (!t) return std::unexpected(t.error().context("the static topology"));
    t->description = "MixNet's greedy on the sum of every replayed layer";
    if (auto ok = resolve_topology(*t, ctx_.inventory); !ok) return std::unexpected(ok.error().context("the static topology"));
    setup.static_topology = t->name;
    static_ = std::move(*t);
  }
  return {};
}

std::string ReplayRun::plan_text() const {
  std::vector<std::string> modes;
  for (const auto m : result_.setup.modes) modes.emplace_back(replay::mode_name(m));
  return fmt::format("would replay {} layer(s) of {} on {} host(s), modes {}; {}; line rate {:g} Gb/s ({})", result_.setup.layers,
                     result_.setup.trace, result_.setup.hosts.size(), fmt::join(modes, ", "), result_.setup.scale_reason,
                     result_.setup.line_rate_gbps, result_.setup.line_rate_source);
}

Result<void> ReplayRun::sample_clocks(AgentPool& agents) {
  for (int i = 0; i < kReplayClockSamples; ++i) {
    for (const auto& reply : agents.clock(result_.setup.hosts, io_deadline())) {
      if (!reply.ok()) return std::unexpected(reply.value.error().context("reading the agents' clocks"));
    }
  }
  return {};
}

Result<Topology> ReplayRun::layer_topology(replay::ReplayMode mode, std::size_t layer) const {
  if (mode == replay::ReplayMode::fixed) return *static_;
  auto generated = topogen::generate_mixnet(fmt::format("replay-layer-{}", layer), layers_[layer], ctx_.inventory);
  if (!generated) return std::unexpected(generated.error().context(fmt::format("layer {}", layer)));
  // The same host pairs on the ports already patched: only circuits that really change are
  // broken and made (the greedy hands ports out in the order it meets pairs).
  Topology t = in_place_ ? topogen::reuse_circuits(*generated, *in_place_, ctx_.inventory) : std::move(*generated);
  t.description = fmt::format("MixNet's greedy on layer {} of {}", layer, args_.trace);
  if (auto ok = resolve_topology(t, ctx_.inventory); !ok) return std::unexpected(ok.error().context(fmt::format("layer {}", layer)));
  return t;
}

ReplayRun::SwitchedTo ReplayRun::switch_to(const Topology& topology, AgentPool& agents, SwitchPool& switches) {
  SwitchedTo out;
  const std::int64_t t0 = monotonic_ns();
  ApplyTopologyOptions options;
  options.cancel = &ctx_.cancel;
  const auto applied = apply_topology(topology, ctx_.inventory, switches, options);
  for (const auto& sw : applied.switches) {
    if (sw.plan) out.changes += static_cast<int>(sw.plan->changes());
    if (sw.ok()) ctx_.state.topology_of_switch[sw.switch_name] = topology.name;
  }
  if (const auto* failed = applied.first_failure()) {
    out.problem = failed->failure->error.message;
    in_place_.reset();   // unknown now
    return out;
  }
  in_place_ = topology;
  if (out.changes == 0) return out;   // already in place: nothing to time or verify again
  std::vector<ExpectedLink> links;
  for (const auto& c : topology.circuits) links.push_back({c.a, c.b});
  LinkVerifyOptions vo;
  vo.deadline_ns = std::min(ctx_.deadline_ns, monotonic_ns() + static_cast<std::int64_t>(args_.deadline_s * 1e9));
  for (const auto& h : ctx_.inventory.hosts) vo.all_hosts.push_back(h.name);
  vo.cancel = &ctx_.cancel;
  std::vector<std::string> bad;
  for (const auto& v : verify_links(agents, links, vo).ports) {
    if (v.verdict != LinkVerdict::ok) bad.push_back(v.message.empty() ? v.port.str() : v.message);
  }
  out.seconds = static_cast<double>(monotonic_ns() - t0) / 1e9;
  if (!bad.empty()) out.problem = fmt::format("{} port(s) not verified: {}", bad.size(), fmt::join(bad, "; "));
  return out;
}

replay::LayerOutcome ReplayRun::run_layer(replay::ReplayMode mode, std::size_t layer, AgentPool& agents, SwitchPool& switches) {
  replay::LayerOutcome out;
  out.mode = mode;
  out.layer = layer;
  const topogen::DemandMatrix& demand = layers_[layer];
  out.network_bytes = demand.network_bytes();
  const auto failed = [&](std::string message) {
    out.ok = false;
    out.message = std::move(message);
    return out;
  };

  std::optional<Topology> topology;
  if (mode != replay::ReplayMode::electrical) {
    auto t = layer_topology(mode, layer);
    if (!t) return failed(t.error().message);
    topology = std::move(*t);
    out.topology = topology->name;
    out.circuits = static_cast<int>(topology->circuits.size());
    const auto switched = switch_to(*topology, agents, switches);
    out.changes = switched.changes;
    // The static topology is in place before its first layer: a static network is set up once.
    if (mode == replay::ReplayMode::reconfigured) out.reconfig_s = switched.seconds;
    if (!switched.problem.empty()) return failed("switching to " + topology->name + ": " + switched.problem);
  }
  const auto quality = topogen::evaluate_quality(topology ? *topology : Topology{}, demand, ctx_.inventory, result_.setup.line_rate_gbps);
  out.circuit_bytes = quality.circuit_bytes;
  out.eps_bytes = quality.eps_bytes;
  out.estimate_s = quality.completion_seconds;

  auto flows = replay::layer_flows(demand, topology ? &*topology : nullptr, ctx_.inventory);
  if (!flows) return failed(flows.error().message);
  std::vector<Transfer> transfers;
  for (const auto& f : *flows) transfers.push_back({f.from, f.to, f.bytes});
  out.flows = transfers.size();
  TransferDispatchOptions options;
  options.deadline_ns = std::min(ctx_.deadline_ns, monotonic_ns() + static_cast<std::int64_t>(args_.layer_timeout_s * 1e9));
  options.cancel = &ctx_.cancel;
  ctx_.sink.note(fmt::format("{} layer {}: {} flow(s), {} planned on circuits", replay::mode_name(mode), layer, transfers.size(),
                             topogen::quality_bytes_text(out.circuit_bytes)));
  const auto sent = dispatch_transfers(agents, transfers, options);
  out.completion_s = sent.seconds();
  out.failed_flows = sent.failed;
  if (sent.failed > 0) {
    std::vector<std::string> why;
    for (const auto& t : sent.transfers) {
      if (!t.ok && why.size() < 3) why.push_back(t.message);
    }
    return failed(fmt::format("{} of {} flow(s) failed: {}{}", sent.failed, transfers.size(), fmt::join(why, "; "), sent.failed > why.size() ? "; ..." : ""));
  }
  return out;
}

void ReplayRun::record(const replay::LayerOutcome& outcome) {
  ItemResult item;
  item.kind = "layer";
  item.id = fmt::format("{} layer {}", replay::mode_name(outcome.mode), outcome.layer);
  item.status = outcome.ok ? std::string(item_status::ok) : std::string(item_status::failed);
  item.message = outcome.ok ? fmt::format("completed in {:.3f} s (estimate {:.3f} s), reconfiguring {:.3f} s ({} change(s)), {} flow(s)",
                                          outcome.completion_s, outcome.estimate_s, outcome.reconfig_s, outcome.changes, outcome.flows)
                            : outcome.message;
  item.data = replay::layer_outcome_json(outcome);
  item.hosts = result_.setup.hosts;   // a layer is every host's
  item.finished_ns = realtime_ns();
  ctx_.sink.record(item);
}

Result<void> ReplayRun::set_up(replay::ReplayMode mode, AgentPool& agents, SwitchPool& switches) {
  // Static: its topology, built once before training. Reconfigured: the last layer's, as when the
  // trace is one iteration of a training loop and layer 0 follows the previous iteration's last
  // layer; so every layer's reconfiguration, the first one's too, starts from a real state and
  // is counted. Electrical: nothing (the circuits left in place carry none of its bytes).
  std::optional<Topology> first;
  if (mode == replay::ReplayMode::fixed) first = *static_;
  if (mode == replay::ReplayMode::reconfigured) {
    auto t = layer_topology(mode, layers_.size() - 1);
    if (!t) return std::unexpected(t.error());
    first = std::move(*t);
  }
  if (!first) return {};
  const auto switched = switch_to(*first, agents, switches);
  ctx_.sink.note(fmt::format("{}: {} in place before the first layer: {} change(s), {:.3f} s (not counted)", replay::mode_name(mode),
                             first->name, switched.changes, switched.seconds));
  if (!switched.problem.empty()) return fail(Errc::unavailable, fmt::format("{}: setting up {}: {}", replay::mode_name(mode), first->name, switched.problem));
  return {};
}

Result<void> ReplayRun::replay(AgentPool& agents, SwitchPool& switches) {
  if (auto ok = sample_clocks(agents); !ok) return ok;
  for (const auto mode : args_.modes) {
    if (auto ok = set_up(mode, agents, switches); !ok) problems_.push_back(ok.error().message);
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      if (ctx_.cancel.load() || ctx_.expired()) {
        problems_.push_back(fmt::format("{} before {} layer {}", ctx_.cancel.load() ? "cancelled" : "out of time", replay::mode_name(mode), l));
        return {};
      }
      auto outcome = run_layer(mode, l, agents, switches);
      record(outcome);
      result_.layers.push_back(std::move(outcome));
    }
  }
  return {};
}

StepResult ReplayRun::finish() {
  StepResult r;
  r.changed = true;
  r.data = replay::replay_json(result_);
  std::size_t failed = 0;
  for (const auto& l : result_.layers) failed += l.ok ? 0 : 1;
  if (!ctx_.state.out_dir.empty()) {
    if (auto ok = replay::write_replay_reports(result_, ctx_.state.out_dir); !ok) problems_.push_back("reports: " + ok.error().message);
  }
  r.message = replay::replay_summary_text(result_);
  if (failed > 0) problems_.insert(problems_.begin(), fmt::format("{} layer(s) failed", failed));
  if (!problems_.empty()) {
    r.ok = false;
    r.message = fmt::format("{}\n{}", fmt::join(problems_, "; "), r.message);
  }
  return r;
}

}  // namespace mixnet::coord
