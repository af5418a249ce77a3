#include "coordinator/traffic/reconfig_traffic.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/wire/traffic_api.hpp"
#include "coordinator/agents/traffic_calls.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/traffic/receiver_address.hpp"

namespace mixnet::coord {

namespace m = measure;

namespace {

Error nested(Error e) {
  e.field = "traffic." + e.field;
  return e;
}

}  // namespace

Result<ReconfigTrafficArgs> parse_reconfig_traffic(const nlohmann::json& value) {
  ReconfigTrafficArgs a;
  if (value.is_null()) return a;
  if (value.is_boolean()) {
    a.enabled = value.get<bool>();
    return a;
  }
  if (!value.is_object()) return fail(Errc::invalid_argument, "must be true, false or an object", "traffic");
  if (auto ok = module_args::only_keys(value, {"enabled", "streams", "bin_us", "rate_gbps", "after_ms", "threshold", "hold_ms",
                                           "window_ms", "reference", "line_rate_gbps", "settled_ms"});
      !ok) {
    return std::unexpected(nested(ok.error()));
  }
  auto enabled = module_args::bool_arg(value, "enabled");
  if (!enabled) return std::unexpected(nested(enabled.error()));
  a.enabled = enabled->value_or(true);
  struct Num {
    const char* key;
    double min, max;
  };
  for (const Num& n : {Num{"streams", 1, wire::kMaxTrafficStreams}, Num{"bin_us", wire::kMinBinUs, 100'000},
                       Num{"rate_gbps", 0.001, 10'000}, Num{"after_ms", 0, 60'000}, Num{"threshold", 0.01, 1}, Num{"hold_ms", 0.1, 10'000},
                       Num{"window_ms", 0, 10'000}, Num{"line_rate_gbps", 0.001, 10'000}, Num{"settled_ms", 1, 60'000}}) {
    auto v = module_args::number_arg(value, n.key, n.min, n.max);
    if (!v) return std::unexpected(nested(v.error()));
    if (!*v) continue;
    const std::string k = n.key;
    const double x = **v;
    const auto ns = static_cast<std::int64_t>(std::llround(x * 1e6));
    if (k == "streams") a.streams = static_cast<std::uint32_t>(x);
    if (k == "bin_us") a.bin_us = static_cast<std::uint32_t>(x);
    if (k == "rate_gbps") a.rate_gbps = x;
    if (k == "after_ms") a.after_ns = ns;
    if (k == "threshold") a.rule.threshold_fraction = x;
    if (k == "hold_ms") a.rule.hold_ns = ns;
    if (k == "window_ms") a.rule.window_ns = ns;
    if (k == "line_rate_gbps") a.rule.line_rate_gbps = x;
    if (k == "settled_ms") a.rule.baseline_window_ns = ns;
  }
  auto ref = module_args::string_arg(value, "reference");
  if (!ref) return std::unexpected(nested(ref.error()));
  if (!*ref && a.rate_gbps > 0) {
    a.rule.reference = m::Reference::line;
    a.rule.line_rate_gbps = a.rate_gbps;
  } else if (*ref) {
    // A reconfiguration's circuits are new: there is no traffic over them before the command, so
    // no baseline to compare with.
    if (**ref == "settled") a.rule.reference = m::Reference::settled;
    else if (**ref == "line") a.rule.reference = m::Reference::line;
    else return fail(Errc::invalid_argument, "must be settled or line, got '" + **ref + "'", "traffic.reference");
  }
  if (a.rule.reference == m::Reference::line && a.rule.line_rate_gbps <= 0) {
    return fail(Errc::invalid_argument, "reference line needs line_rate_gbps", "traffic.line_rate_gbps");
  }
  if (auto ok = m::validate(a.rule); !ok) return std::unexpected(nested(ok.error()));
  return a;
}

ReconfigTraffic::ReconfigTraffic(ReconfigTraffic&& other) noexcept
    : streams_(std::move(other.streams_)), agents_(std::exchange(other.agents_, nullptr)) {}

ReconfigTraffic::~ReconfigTraffic() {
  if (agents_ == nullptr) return;
  std::vector<TrafficRunRef> runs;
  for (const auto& s : streams_) {
    if (!s.client_id.empty()) runs.push_back({s.circuit.a.host, s.client_id});
    if (!s.server_id.empty()) runs.push_back({s.circuit.b.host, s.server_id});
  }
  if (!runs.empty()) (void)cancel_traffic_runs(*agents_, runs, monotonic_ns() + 2'000'000'000);
}

ReconfigTraffic ReconfigTraffic::start(AgentPool& agents, const Inventory& inventory, const std::vector<Circuit>& circuits,
                                       const ReconfigTrafficArgs& args, std::int64_t run_ms, std::int64_t deadline_ns) {
  ReconfigTraffic t;
  t.agents_ = &agents;
  const auto life_ms = static_cast<std::uint64_t>(std::clamp<std::int64_t>(run_ms, 1, wire::kMaxTrafficDurationMs));
  std::vector<TrafficServerCall> servers;
  for (const auto& c : circuits) {
    t.streams_.push_back({.circuit = c});
    TrafficServerCall call{.host = c.b.host};
    call.request.port = c.b.port;
    call.request.duration_ms = life_ms;
    call.request.accept_timeout_ms = life_ms;
    call.request.interval_ms = static_cast<std::uint32_t>(std::min<std::uint64_t>(wire::kMaxTrafficIntervalMs,
                                                                                 std::max<std::uint64_t>(1000, life_ms / 100)));
    wire::TimelineOptions o;
    o.bin_us = args.bin_us;
    call.request.timeline = o;
    servers.push_back(std::move(call));
  }
  const auto server_replies = start_traffic_servers(agents, servers, deadline_ns);
  std::vector<TrafficClientCall> clients;
  std::vector<std::size_t> client_of;
  for (std::size_t i = 0; i < server_replies.size(); ++i) {
    Stream& s = t.streams_[i];
    if (!server_replies[i].ok()) {
      s.problem = "the receiver on " + s.circuit.b.str() + " could not start: " + server_replies[i].value.error().describe();
      continue;
    }
    const auto& rep = server_replies[i].value->report;
    s.server_id = rep.id;
    TrafficClientCall call{.host = s.circuit.a.host};
    call.request.port = s.circuit.a.port;
    call.request.peer = receiver_address(rep, inventory, s.circuit.b);
    call.request.peer_tcp_port = rep.tcp_port;
    call.request.secret = server_replies[i].value->secret;   // the receiver admits only this sender
    call.request.streams = args.streams;
    call.request.duration_ms = life_ms;
    if (args.rate_gbps > 0) call.request.rate_mbps = std::max<std::uint64_t>(1, std::llround(args.rate_gbps * 1000));
    call.request.interval_ms = servers[i].request.interval_ms;
    wire::TimelineOptions o;
    o.bin_us = args.bin_us;
    // The port is still on its old circuit, then dark: keep trying until the run's end.
    o.connect_timeout_ms = std::min<std::uint64_t>(life_ms, wire::kMaxReconnectTimeoutMs);
    o.reconnect_timeout_ms = std::min<std::uint64_t>(life_ms, wire::kMaxReconnectTimeoutMs);
    call.request.timeline = o;
    clients.push_back(std::move(call));
    client_of.push_back(i);
  }
  const auto client_replies = start_traffic_clients(agents, clients, deadline_ns);
  for (std::size_t k = 0; k < client_replies.size(); ++k) {
    Stream& s = t.streams_[client_of[k]];
    if (!client_replies[k].ok()) {
      s.problem = "the sender on " + s.circuit.a.str() + " could not start: " + client_replies[k].value.error().describe();
      continue;
    }
    s.client_id = client_replies[k].value->id;
  }
  return t;
}

std::size_t ReconfigTraffic::running() const {
  return static_cast<std::size_t>(std::ranges::count_if(streams_, [](const Stream& s) { return s.problem.empty(); }));
}

std::map<std::string, Result<m::Timeline>> ReconfigTraffic::stop(AgentPool& agents,
                                                                 const std::map<std::string, m::ClockOffset>& offsets,
                                                                 std::int64_t deadline_ns) {
  agents_ = nullptr;   // stopped here, whatever the reads below bring
  // Senders first, so the receivers' last bins are not cut short by their own cancel.
  std::vector<TrafficRunRef> senders, receivers;
  for (const auto& s : streams_) {
    if (!s.client_id.empty()) senders.push_back({s.circuit.a.host, s.client_id});
  }
  for (const auto& s : streams_) {
    if (!s.server_id.empty()) receivers.push_back({s.circuit.b.host, s.server_id});
  }
  // Bins from here on hold the senders' stop, not the circuit's rate (coordinator clock).
  const std::int64_t stop_ns = realtime_ns();
  (void)cancel_traffic_runs(agents, senders, deadline_ns);
  (void)cancel_traffic_runs(agents, receivers, deadline_ns);

  std::vector<TrafficReadCall> reads;
  std::vector<std::size_t> read_of;
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    const Stream& s = streams_[i];
    if (!s.problem.empty() || s.server_id.empty()) continue;
    reads.push_back({.host = s.circuit.b.host, .id = s.server_id, .bins = true});
    read_of.push_back(i);
  }
  std::vector<Result<m::Timeline>> timeline(streams_.size(), fail(Errc::unavailable, "no traffic run"));
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    if (!streams_[i].problem.empty()) timeline[i] = fail(Errc::unavailable, streams_[i].problem);
  }
  const auto replies = read_traffic_runs(agents, reads, deadline_ns);
  for (std::size_t k = 0; k < replies.size(); ++k) {
    const std::size_t i = read_of[k];
    const Stream& s = streams_[i];
    if (!replies[k].ok()) {
      timeline[i] = fail(Errc::unavailable, "reading the receiver " + s.server_id + " on " + s.circuit.b.str() + ": " +
                                                replies[k].value.error().describe());
      continue;
    }
    const auto& rep = *replies[k].value;
    if (!rep.timeline || rep.timeline->bins.empty()) {
      timeline[i] = fail(Errc::unavailable, "the receiver " + s.server_id + " on " + s.circuit.b.str() + " returned no timeline bins");
      continue;
    }
    const auto off = offsets.find(s.circuit.b.host);
    if (off == offsets.end()) {
      timeline[i] = fail(Errc::unavailable, "no clock offset for " + s.circuit.b.host);
      continue;
    }
    auto t = m::align_timeline(off->second, rep.timeline->start_ns, static_cast<std::int64_t>(rep.timeline->bin_us) * 1000,
                               rep.timeline->bins);
    // Only whole bins before the senders were stopped: the empty ones after would pull the
    // settled rate down.
    while (!t.bytes.empty() && t.start.ns + static_cast<std::int64_t>(t.bytes.size()) * t.bin_ns > stop_ns) t.bytes.pop_back();
    if (t.bytes.empty()) {
      timeline[i] = fail(Errc::unavailable, "the receiver " + s.server_id + " on " + s.circuit.b.str() + " has no bins before the stop");
      continue;
    }
    timeline[i] = std::move(t);
  }
  std::map<std::string, Result<m::Timeline>> out;
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    out.emplace(streams_[i].circuit.a.str(), timeline[i]);
    out.emplace(streams_[i].circuit.b.str(), timeline[i]);
  }
  return out;
}

}  // namespace mixnet::coord
