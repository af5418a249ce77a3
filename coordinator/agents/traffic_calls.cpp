#include "coordinator/agents/traffic_calls.hpp"

#include <algorithm>
#include <optional>

#include "common/clock.hpp"
#include "coordinator/engine/interruptible_sleep.hpp"

namespace mixnet::coord {

namespace {

// A batch entry that is not sent: a bad run id fails its own entry, naming it.
struct Prepared {
  std::vector<AgentCall> calls;              // only the valid entries
  std::vector<std::optional<Error>> refused; // per entry: why it was not sent
};

template <class Entry>
Prepared prepare(const std::vector<Entry>& entries, const std::function<AgentCall(const Entry&)>& make,
                 const std::function<std::optional<Error>(const Entry&)>& check) {
  Prepared p;
  for (const auto& e : entries) {
    auto bad = check(e);
    p.refused.push_back(bad);
    if (!bad) p.calls.push_back(make(e));
  }
  return p;
}

std::optional<Error> check_run_id(const std::string& host, const std::string& id, std::string_view what) {
  if (auto ok = wire::validate_run_id(id, "id"); !ok) {
    return ok.error().context(host + ": " + std::string(what));
  }
  return std::nullopt;
}

// Runs the prepared calls and decodes each reply with `decode` (a run report, or a server's start
// answer); refused entries keep their error.
template <class T>
std::vector<AgentReply<T>> run_batch(AgentPool& pool, const Prepared& p, const std::vector<std::string>& hosts,
                                     std::int64_t deadline_ns, Result<T> (*decode)(const nlohmann::json&)) {
  using Reply = AgentReply<T>;
  auto raw = pool.call_all(p.calls, deadline_ns);
  std::vector<Reply> out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < p.refused.size(); ++i) {
    if (p.refused[i]) {
      Reply r{hosts[i], std::unexpected(*p.refused[i])};
      r.done_ns = realtime_ns();
      out.push_back(std::move(r));
      continue;
    }
    const AgentCall& call = p.calls[next];
    JsonReply& reply = raw[next];
    ++next;
    Reply r{reply.host, std::unexpected(Error{})};
    r.sent_ns = reply.sent_ns;
    r.done_ns = reply.done_ns;
    if (!reply.value) {
      r.value = std::unexpected(reply.value.error());
    } else if (auto decoded = decode(*reply.value); decoded) {
      r.value = std::move(*decoded);
    } else {
      r.value = std::unexpected(decoded.error().context(reply.host + ": " + call.method + " " + call.target));
    }
    out.push_back(std::move(r));
  }
  return out;
}

template <class Entry>
std::vector<std::string> hosts_of(const std::vector<Entry>& entries) {
  std::vector<std::string> hosts;
  for (const auto& e : entries) hosts.push_back(e.host);
  return hosts;
}

std::string read_target(const TrafficReadCall& c) {
  std::string t = "/v1/traffic/runs/" + c.id + (c.bins ? "?bins=1" : "?bins=0");
  if (c.wait.count() > 0) t += "&wait_ms=" + std::to_string(c.wait.count());
  return t;
}

}  // namespace

AgentCall traffic_server_call(const TrafficServerCall& c) {
  nlohmann::json body;
  wire::to_json(body, c.request);
  return AgentCall{.host = c.host, .method = "POST", .target = "/v1/traffic/servers", .body = body.dump(), .idempotent = false};
}

AgentCall traffic_client_call(const TrafficClientCall& c) {
  nlohmann::json body;
  wire::to_json(body, c.request);
  if (c.request.transport == "rdma") {
    // The agent refuses these for RDMA (the QPs come from rdma.qps, the peer from rdma.peer).
    body.erase("peer_tcp_port");
    body.erase("streams");
    body.erase("bytes");
  }
  return AgentCall{.host = c.host, .method = "POST", .target = "/v1/traffic/runs", .body = body.dump(), .idempotent = false};
}

AgentCall traffic_read_call(const AgentPool& pool, const TrafficReadCall& c) {
  // A long-poll may take its whole wait before the agent answers.
  return AgentCall{.host = c.host, .target = read_target(c), .timeout = c.wait + pool.options().request_timeout};
}

AgentCall traffic_cancel_call(const TrafficRunRef& r) {
  // Cancelling twice is cancelling once: safe to repeat.
  return AgentCall{.host = r.host, .method = "DELETE", .target = "/v1/traffic/runs/" + r.id, .idempotent = true};
}

std::vector<TrafficServerReply> start_traffic_servers(AgentPool& pool, const std::vector<TrafficServerCall>& calls,
                                                      std::int64_t deadline_ns) {
  const auto p = prepare<TrafficServerCall>(calls, &traffic_server_call,
                                            [](const TrafficServerCall&) { return std::optional<Error>{}; });
  return run_batch(pool, p, hosts_of(calls), deadline_ns, &wire::decode_traffic_server_started);
}

std::vector<TrafficReply> start_traffic_clients(AgentPool& pool, const std::vector<TrafficClientCall>& calls,
                                                std::int64_t deadline_ns) {
  const auto p = prepare<TrafficClientCall>(calls, &traffic_client_call,
                                            [](const TrafficClientCall&) { return std::optional<Error>{}; });
  return run_batch(pool, p, hosts_of(calls), deadline_ns, &wire::decode_traffic_run_report);
}

std::vector<TrafficReply> read_traffic_runs(AgentPool& pool, const std::vector<TrafficReadCall>& calls,
                                            std::int64_t deadline_ns) {
  const auto p = prepare<TrafficReadCall>(
      calls, [&pool](const TrafficReadCall& c) { return traffic_read_call(pool, c); },
      [](const TrafficReadCall& c) { return check_run_id(c.host, c.id, "GET /v1/traffic/runs"); });
  return run_batch(pool, p, hosts_of(calls), deadline_ns, &wire::decode_traffic_run_report);
}

std::vector<TrafficReply> cancel_traffic_runs(AgentPool& pool, const std::vector<TrafficRunRef>& runs,
                                              std::int64_t deadline_ns) {
  const auto p = prepare<TrafficRunRef>(runs, &traffic_cancel_call,
                                        [](const TrafficRunRef& r) { return check_run_id(r.host, r.id, "DELETE /v1/traffic/runs"); });
  return run_batch(pool, p, hosts_of(runs), deadline_ns, &wire::decode_traffic_run_report);
}

std::vector<TrafficReply> hand_traffic_peers(AgentPool& pool, const std::vector<TrafficPeerCall>& calls,
                                             std::int64_t deadline_ns) {
  const auto p = prepare<TrafficPeerCall>(
      calls,
      [](const TrafficPeerCall& c) {
        const nlohmann::json body = {{"endpoint", c.endpoint}};
        // A second endpoint for the same run is refused (409): send it again only when it never left.
        return AgentCall{.host = c.host, .method = "POST", .target = "/v1/traffic/runs/" + c.id + "/peer",
                         .body = body.dump(), .idempotent = false};
      },
      [](const TrafficPeerCall& c) { return check_run_id(c.host, c.id, "POST /v1/traffic/runs/{id}/peer"); });
  return run_batch(pool, p, hosts_of(calls), deadline_ns, &wire::decode_traffic_run_report);
}

bool traffic_run_finished(const wire::TrafficRunReport& report) {
  return report.state == "done" || report.state == "failed" || report.state == "cancelled";
}

std::vector<TrafficReply> wait_traffic_runs(AgentPool& pool, const std::vector<TrafficReadCall>& calls,
                                            const TrafficWaitOptions& options) {
  std::vector<std::optional<TrafficReply>> last(calls.size());
  // Per entry: 0 poll without bins, 1 finished and wants its bins (one more read), 2 settled.
  std::vector<int> phase(calls.size(), 0);
  static const std::atomic<bool> never{false};
  const std::atomic<bool>& cancel = options.cancel != nullptr ? *options.cancel : never;
  const auto cancelled = [&] { return cancel.load(); };
  for (;;) {
    std::vector<TrafficReadCall> batch;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (phase[i] == 2) continue;
      TrafficReadCall c = calls[i];
      c.bins = phase[i] == 1;
      if (phase[i] == 0) {   // unfinished so far: wait at the agent for its end, up to a slice
        const std::int64_t left_ms = (options.deadline_ns - monotonic_ns()) / 1'000'000;
        c.wait = std::chrono::milliseconds(std::clamp<std::int64_t>(left_ms, 0, options.slice.count()));
      }
      batch.push_back(c);
      index.push_back(i);
    }
    if (batch.empty() || monotonic_ns() >= options.deadline_ns || cancelled()) break;
    auto replies = read_traffic_runs(pool, batch, options.deadline_ns);
    for (std::size_t k = 0; k < replies.size(); ++k) {
      const std::size_t i = index[k];
      TrafficReply& r = replies[k];
      if (!r.ok()) {
        // The pool already retried the read: the agent is gone or forgot the run. A failed read
        // of the bins alone keeps the finished report already in hand.
        const bool keep = phase[i] == 1 && last[i].has_value();
        phase[i] = 2;
        if (options.on_read) options.on_read(i, r);
        if (!keep) last[i] = std::move(r);
        continue;
      }
      if (traffic_run_finished(*r.value)) {
        phase[i] = (calls[i].bins && phase[i] == 0) ? 1 : 2;
      }
      if (options.on_read) options.on_read(i, r);
      last[i] = std::move(r);
    }
  }
  std::vector<TrafficReply> out;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (last[i]) {
      out.push_back(std::move(*last[i]));
    } else {
      TrafficReply r{calls[i].host, fail(Errc::timeout,
                                         calls[i].host + ": GET /v1/traffic/runs/" + calls[i].id +
                                             (cancelled() ? ": stopped before it was read" : ": not read before the deadline"))};
      r.done_ns = realtime_ns();
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace mixnet::coord
