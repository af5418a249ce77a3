#include "coordinator/traffic/traffic_rounds.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/agents/traffic_calls.hpp"
#include "coordinator/traffic/receiver_address.hpp"
#include "coordinator/traffic/traffic_schedule.hpp"

namespace mixnet::coord {

namespace {

constexpr std::int64_t kOneSecondNs = 1'000'000'000;
constexpr std::int64_t kStartTimeoutNs = 10 * kOneSecondNs;      // starting servers / clients, handing peers
constexpr std::int64_t kServerSettleNs = 3 * kOneSecondNs;       // servers end right after their client
constexpr std::int64_t kCleanupNs = 3 * kOneSecondNs;            // cancels at the end of a round
constexpr std::uint64_t kMaxRdmaMarginMs = 2000;
constexpr std::int64_t kStartSlackNs = 5'000'000;        // a sender connects after its agent answers
constexpr std::int64_t kMinStartLeadNs = 10'000'000;
constexpr std::int64_t kMaxStartLeadNs = 500'000'000;
// Between a round's senders' end and the next round's start, when the next is started ahead: what
// a sender still has in flight when it stops (a socket buffer's worth) drains first, so two rounds
// do not share a link. Measured on the rounds as they end (saw_end), within these bounds.
constexpr std::int64_t kRoundGapSlackNs = 2'000'000;
constexpr std::int64_t kMinRoundGapNs = 5'000'000;
constexpr std::int64_t kMaxRoundGapNs = 200'000'000;
constexpr std::int64_t kFirstRoundGapNs = 20'000'000;   // before any round was seen to end

class RoundRunner {
 public:
  RoundRunner(AgentPool& pool, const TrafficRunArgs& args, StepContext& ctx) : pool_(pool), args_(args), ctx_(ctx) {}

  // A round's deadline, from now: its timeout, leaving room at the step's deadline to cancel what
  // is still running.
  [[nodiscard]] std::int64_t round_deadline() const {
    const std::int64_t timeout_ns = static_cast<std::int64_t>(args_.timeout_s * 1e9);
    return std::min(monotonic_ns() + timeout_ns, ctx_.deadline_ns - kCleanupNs);
  }

  // The receivers: they only listen until their sender connects, so they may be started while
  // the previous round still sends. `ahead_ns`: how long before its senders' start; it adds to
  // their lifetime.
  void serve(const std::vector<Flow*>& flows, std::int64_t ahead_ns = 0) {
    start_servers(flows, round_deadline() + ahead_ns, timeout_ms() + static_cast<std::uint64_t>(ahead_ns / 1'000'000));
  }

  struct Sent {
    std::int64_t deadline_ns = 0;   // monotonic: the round's end at the latest
    std::int64_t start_ns = 0;      // CLOCK_REALTIME (coordinator): when its senders start
  };

  // The senders (RDMA: and each receiver its sender's endpoint). TCP senders connect at once and
  // start sending together at one instant: `not_before` when given and still far enough ahead
  // (a round started while the one before it sends begins as that one ends), else as soon as
  // the batch that starts them has reached every agent.
  Sent send(const std::vector<Flow*>& flows, std::optional<std::int64_t> not_before = std::nullopt) {
    const std::int64_t now = realtime_ns();
    const std::int64_t lead = std::clamp<std::int64_t>(last_start_batch_ns_ * 6 / 5 + kStartSlackNs, kMinStartLeadNs, kMaxStartLeadNs);
    const std::int64_t start = std::max(not_before.value_or(0), now + lead);
    // Its timeout counts from its start, which may be a round's length ahead.
    const std::int64_t deadline = std::min(round_deadline() + std::max<std::int64_t>(0, start - now), ctx_.deadline_ns - kCleanupNs);
    start_clients(flows, deadline, start);
    if (args_.transport == "rdma") hand_peers(flows, deadline);
    return {deadline, args_.transport == "tcp" ? start : now};
  }

  // Whether a round's senders may be started while the round before it sends, to begin as it
  // ends: TCP senders (they connect at once and wait for their instant) of a fixed duration (so
  // the instant the round before ends is known).
  [[nodiscard]] bool starts_ahead() const { return args_.transport == "tcp" && args_.duration_s && !args_.bytes; }

  // When the next round may start when this one started at `start_ns`: as its senders end, the
  // bytes still in flight drained and their receipts back, as long as that typically took the
  // last rounds read (saw_end), with a little room.
  [[nodiscard]] std::int64_t next_start_ns(std::int64_t start_ns) const {
    return start_ns + duration_ns() + std::clamp<std::int64_t>(typical_overrun_ns_ + kRoundGapSlackNs, kMinRoundGapNs, kMaxRoundGapNs);
  }

  // Notes how long after their duration the senders of a round that started at `start_ns` (and
  // all finished) took to end, by their agents' stamps: the drain the next rounds leave room for.
  void saw_end(const std::vector<Flow*>& flows, std::int64_t start_ns) {
    if (!starts_ahead()) return;
    std::int64_t latest = 0;
    for (const Flow* f : flows) {
      if (!f->client || f->client->end_ns == 0) continue;
      latest = std::max(latest, f->client->end_ns - pool_.clock_offset_ns(f->from.host).value_or(0));
    }
    if (latest == 0) return;
    // The median of the last few rounds: a straggler (a sender that started late on a busy host,
    // or lost a packet near its end) says little about the next round, and waiting for the worst
    // every time would cost more than the stragglers' short overlap with the next round.
    recent_overruns_[seen_rounds_++ % recent_overruns_.size()] = std::max<std::int64_t>(0, latest - start_ns - duration_ns());
    std::vector<std::int64_t> seen(recent_overruns_.begin(), recent_overruns_.begin() + static_cast<std::ptrdiff_t>(std::min(seen_rounds_, recent_overruns_.size())));
    std::nth_element(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(seen.size() / 2), seen.end());
    typical_overrun_ns_ = seen[seen.size() / 2];
  }

  // Waits for the senders' reports; true when every sender has finished (or failed to start), so
  // nothing of the round sends any more.
  bool wait(const std::vector<Flow*>& flows, std::int64_t deadline) {
    wait_clients(flows, deadline);
    return std::none_of(flows.begin(), flows.end(), [](const Flow* f) { return f->client && !traffic_run_finished(*f->client); });
  }

  // Reads the receivers and cancels whatever of the round still runs.
  void settle(const std::vector<Flow*>& flows) { settle_servers(flows); }

  // How long a receiver lives (and waits for its sender) from its start.
  [[nodiscard]] std::int64_t receiver_lifetime_ns() const { return static_cast<std::int64_t>(timeout_ms()) * 1'000'000; }

  // Stops the receivers started for these flows and forgets them, so they can be started afresh:
  // ones started early beside a round that then ran long would run out of their lifetime (or of
  // their wait for a sender) during their own test. Flows already settled stay as they are.
  void unserve(const std::vector<Flow*>& flows) {
    std::vector<TrafficRunRef> cancels;
    for (Flow* f : flows) {
      if (f->settled() || f->server_id.empty()) continue;
      cancels.push_back({f->to.host, f->server_id});
      f->server_id.clear();
      f->server.reset();
      f->server_secret.clear();
    }
    if (!cancels.empty()) (void)cancel_traffic_runs(pool_, cancels, monotonic_ns() + kCleanupNs);
  }

  // A round that will not run: its flows fail as not run, and receivers already started stop.
  void drop(const std::vector<Flow*>& flows, const std::string& why) {
    std::vector<TrafficRunRef> cancels;
    for (Flow* f : flows) {
      if (!f->settled()) f->fail_as(why);
      if (!f->server_id.empty()) cancels.push_back({f->to.host, f->server_id});
      if (!f->client_id.empty()) cancels.push_back({f->from.host, f->client_id});   // started ahead
    }
    if (!cancels.empty()) (void)cancel_traffic_runs(pool_, cancels, monotonic_ns() + kCleanupNs);
  }

 private:
  [[nodiscard]] std::int64_t duration_ns() const { return static_cast<std::int64_t>(args_.duration_s.value_or(0) * 1e9); }
  std::uint64_t timeout_ms() const {
    return std::min<std::uint64_t>(static_cast<std::uint64_t>(args_.timeout_s * 1000), wire::kMaxTrafficDurationMs);
  }
  static std::int64_t start_deadline(std::int64_t round_deadline) {
    return std::min(monotonic_ns() + kStartTimeoutNs, std::max(round_deadline, monotonic_ns() + kOneSecondNs));
  }

  void start_servers(const std::vector<Flow*>& flows, std::int64_t round_deadline, std::uint64_t lifetime_ms) {
    std::vector<TrafficServerCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->settled()) continue;   // started once already and failed: its failure stands
      TrafficServerCall c{.host = f->to.host};
      c.request.port = f->to.port;
      c.request.transport = args_.transport;
      c.request.sink = args_.sink;
      // Its lifetime: it ends by the round's end whatever happens.
      c.request.duration_ms = std::min<std::uint64_t>(lifetime_ms, wire::kMaxTrafficDurationMs);
      c.request.accept_timeout_ms = std::min<std::uint64_t>(timeout_ms(), wire::kDefaultAcceptTimeoutMs);
      if (args_.transport == "rdma") {
        wire::RdmaOptions o;
        o.qps = args_.streams;
        c.request.rdma = o;
      }
      calls.push_back(std::move(c));
      who.push_back(f);
    }
    if (calls.empty()) return;
    auto replies = start_traffic_servers(pool_, calls, start_deadline(round_deadline));
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (!replies[i].ok()) {
        who[i]->fail_with("the receiver " + who[i]->to.str() + " could not start", replies[i].value.error(), who[i]->to.host);
        continue;
      }
      who[i]->server = replies[i].value->report;
      who[i]->server_id = replies[i].value->report.id;
      who[i]->server_secret = replies[i].value->secret;
    }
  }

  // Every TCP sender of a round starts sending at one instant, a little after the batch that
  // starts them has reached every agent: they connect meanwhile. A round then is fair (no sender
  // has the links to itself while others are still being started) and its senders end together.
  // The lead is what the previous batch took, with room; each agent's instant is on its own
  // clock (the pool's offset estimate, where it has one).
  std::optional<std::int64_t> start_instant(const std::string& host, std::int64_t start_ns) const {
    if (args_.transport != "tcp") return std::nullopt;
    return start_ns + pool_.clock_offset_ns(host).value_or(0);
  }

  void start_clients(const std::vector<Flow*>& flows, std::int64_t round_deadline, std::int64_t start_ns) {
    std::vector<TrafficClientCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->settled()) continue;
      TrafficClientCall c{.host = f->from.host};
      c.request.port = f->from.port;
      c.request.transport = args_.transport;
      c.request.peer = receiver_address(*f->server, ctx_.inventory, f->to);
      c.request.peer_tcp_port = f->server->tcp_port;
      c.request.secret = f->server_secret;   // TCP: the receiver admits only this sender
      c.request.streams = args_.streams;
      if (args_.duration_s) c.request.duration_ms = std::max<std::uint64_t>(1, std::llround(*args_.duration_s * 1000));
      c.request.start_at_ns = start_instant(f->from.host, start_ns);
      if (args_.bytes) c.request.bytes = *args_.bytes;
      if (args_.transport == "rdma") {
        if (!f->server->rdma || !f->server->rdma->endpoint) {
          f->fail_as("the receiver's agent gave no rdma.endpoint for its RDMA server " + f->server_id);
          continue;
        }
        wire::RdmaOptions o;
        o.qps = args_.streams;
        o.peer = *f->server->rdma->endpoint;
        o.margin_ms = std::min<std::uint64_t>(kMaxRdmaMarginMs, *c.request.duration_ms / 4);
        c.request.rdma = o;
      }
      calls.push_back(std::move(c));
      who.push_back(f);
    }
    if (calls.empty()) return;
    const std::int64_t t0 = monotonic_ns();
    auto replies = start_traffic_clients(pool_, calls, start_deadline(round_deadline));
    last_start_batch_ns_ = monotonic_ns() - t0;
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (!replies[i].ok()) {
        who[i]->fail_with("the sender " + who[i]->from.str() + " could not start", replies[i].value.error(),
                          who[i]->from.host);
        continue;
      }
      who[i]->client = *replies[i].value;
      who[i]->client_id = replies[i].value->id;
      who[i]->start_at_ns = calls[i].request.start_at_ns;
    }
  }

  void hand_peers(const std::vector<Flow*>& flows, std::int64_t round_deadline) {
    std::vector<TrafficPeerCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->settled()) continue;
      if (!f->client->rdma || !f->client->rdma->endpoint) {
        f->fail_as("the sender's agent gave no rdma.endpoint for its RDMA run " + f->client_id);
        continue;
      }
      nlohmann::json endpoint;
      wire::to_json(endpoint, *f->client->rdma->endpoint);
      calls.push_back({.host = f->to.host, .id = f->server_id, .endpoint = std::move(endpoint)});
      who.push_back(f);
    }
    if (calls.empty()) return;
    auto replies = hand_traffic_peers(pool_, calls, start_deadline(round_deadline));
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (!replies[i].ok()) {
        who[i]->fail_with("the receiver " + who[i]->to.str() + " refused the sender's endpoint", replies[i].value.error(),
                          who[i]->to.host);
      }
    }
  }

  void wait_clients(const std::vector<Flow*>& flows, std::int64_t round_deadline) {
    std::vector<TrafficReadCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->settled() || f->client_id.empty()) continue;
      calls.push_back({.host = f->from.host, .id = f->client_id});
      who.push_back(f);
    }
    if (calls.empty()) return;
    TrafficWaitOptions options;
    options.deadline_ns = round_deadline;
    options.cancel = &ctx_.cancel;
    auto replies = wait_traffic_runs(pool_, calls, options);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      if (replies[i].ok()) {
        who[i]->client = *replies[i].value;
      } else if (!traffic_run_finished(*who[i]->client)) {
        who[i]->fail_with("reading the sender's run " + who[i]->client_id, replies[i].value.error(), who[i]->from.host);
      }
    }
    if (ctx_.cancel.load()) {
      for (Flow* f : who) {
        if (!f->settled() && !traffic_run_finished(*f->client)) f->fail_as("interrupted");
      }
    }
  }

  // Servers end right after their client's receipts: read them (briefly), then cancel every run
  // of the round still going, so nothing outlives the step.
  void settle_servers(const std::vector<Flow*>& flows) {
    std::vector<TrafficReadCall> calls;
    std::vector<Flow*> who;
    for (Flow* f : flows) {
      if (f->server_id.empty()) continue;
      calls.push_back({.host = f->to.host, .id = f->server_id});
      who.push_back(f);
    }
    const bool any_client_running = std::any_of(flows.begin(), flows.end(), [](const Flow* f) {
      return f->client && !traffic_run_finished(*f->client);
    });
    if (!calls.empty()) {
      TrafficWaitOptions options;
      // Only a server whose client ended cleanly is worth waiting for.
      options.deadline_ns = std::min(monotonic_ns() + (any_client_running ? kOneSecondNs / 2 : kServerSettleNs), ctx_.deadline_ns);
      auto replies = wait_traffic_runs(pool_, calls, options);
      for (std::size_t i = 0; i < replies.size(); ++i) {
        if (replies[i].ok()) who[i]->server = *replies[i].value;
      }
    }
    std::vector<TrafficRunRef> cancels;
    for (Flow* f : flows) {
      if (f->client && !traffic_run_finished(*f->client)) cancels.push_back({f->from.host, f->client_id});
      if (f->server && !f->server_id.empty() && !traffic_run_finished(*f->server)) cancels.push_back({f->to.host, f->server_id});
    }
    if (!cancels.empty()) {
      (void)cancel_traffic_runs(pool_, cancels, monotonic_ns() + kCleanupNs);
    }
  }

  AgentPool& pool_;
  const TrafficRunArgs& args_;
  StepContext& ctx_;
  std::int64_t last_start_batch_ns_ = 0;    // how long the last batch of senders took to start
  std::int64_t typical_overrun_ns_ = kFirstRoundGapNs;   // how long the last rounds' senders ran past their duration
  std::array<std::int64_t, 5> recent_overruns_{};
  std::size_t seen_rounds_ = 0;
};

// Whether the next round's receivers (and with `with_senders`, its senders too) fit on their
// agents beside this round's senders and receivers, within what an agent runs at once
// (traffic_schedule.hpp).
bool fit_beside(const std::vector<Flow*>& running, const std::vector<Flow*>& next, bool with_senders) {
  std::map<std::string, std::size_t> runs;
  for (const Flow* f : running) {
    ++runs[f->from.host];
    ++runs[f->to.host];
  }
  for (const Flow* f : next) {
    if (++runs[f->to.host] > kMaxRunsPerAgent) return false;
    if (with_senders && ++runs[f->from.host] > kMaxRunsPerAgent) return false;
  }
  return true;
}

}  // namespace

void run_rounds(AgentPool& pool, const TrafficRunArgs& args, StepContext& ctx, std::vector<Flow>& flows, std::size_t rounds,
                const RoundDone& done) {
  if (rounds == 0) return;
  RoundRunner runner(pool, args, ctx);
  std::vector<std::vector<Flow*>> by_round;
  for (std::size_t r = 0; r < rounds; ++r) by_round.push_back(flows_in_round(flows, r));
  const auto stopped = [&] { return ctx.cancel.load() || ctx.expired(); };
  const auto why_stopped = [&] {
    return std::string(ctx.cancel.load() ? "not run: interrupted" : "not run: the step's timeout passed");
  };
  // A round is announced, run and reported in order. While a round sends, the next round's
  // receivers are started (and, for TCP runs of a fixed duration, its senders too, told to begin
  // as this round ends) and the previous round is read, so between two rounds there is only the
  // drain of what was in flight (docs/playbooks.md, traffic.run).
  constexpr std::size_t kNone = SIZE_MAX;
  std::size_t unsettled = kNone;   // the previous round, sent but not yet read
  std::vector<RoundRunner::Sent> sent(rounds);   // deadline_ns 0: not started yet
  auto finish = [&](std::size_t r) {
    runner.settle(by_round[r]);
    done(r, by_round[r], sent[r].start_ns != 0 ? sent[r].start_ns : realtime_ns());
  };
  std::vector<bool> served(rounds, false);
  std::vector<std::int64_t> served_at(rounds, 0);   // monotonic_ns()
  auto serve = [&](std::size_t r) {
    runner.serve(by_round[r]);
    served[r] = true;
    served_at[r] = monotonic_ns();
  };
  auto send = [&](std::size_t r, std::optional<std::int64_t> not_before) {
    if (rounds > 1) ctx.sink.note(fmt::format("round {} of {}", r + 1, rounds));
    sent[r] = runner.send(by_round[r], not_before);
  };
  if (!stopped()) serve(0);
  for (std::size_t r = 0; r < rounds; ++r) {
    if (stopped()) {
      if (unsettled != kNone) finish(unsettled);
      for (std::size_t k = r; k < rounds; ++k) {
        runner.drop(by_round[k], why_stopped());
        done(k, by_round[k], realtime_ns());
      }
      return;
    }
    if (sent[r].deadline_ns == 0) {   // not started ahead, beside the round before
      if (served[r] && monotonic_ns() - served_at[r] > runner.receiver_lifetime_ns() / 2) {
        runner.unserve(by_round[r]);   // the previous round ran long: give the receivers their whole lifetime
        served[r] = false;
      }
      if (!served[r]) {   // its receivers did not fit beside the previous round's runs, or were stale
        if (unsettled != kNone) finish(unsettled);
        unsettled = kNone;
        serve(r);
      }
      send(r, std::nullopt);
    }
    if (r + 1 < rounds) {
      if (runner.starts_ahead() && fit_beside(by_round[r], by_round[r + 1], true)) {
        const std::int64_t next_start = runner.next_start_ns(sent[r].start_ns);
        runner.serve(by_round[r + 1], std::max<std::int64_t>(0, next_start - realtime_ns()));
        served[r + 1] = true;
        send(r + 1, next_start);
      } else if (fit_beside(by_round[r], by_round[r + 1], false)) {
        serve(r + 1);
      }
    }
    if (unsettled != kNone) finish(unsettled);
    unsettled = kNone;
    if (runner.wait(by_round[r], sent[r].deadline_ns)) {
      runner.saw_end(by_round[r], sent[r].start_ns);
      unsettled = r;
    } else {
      finish(r);   // a sender still running: stop the round before the next one starts on its ports
    }
  }
  if (unsettled != kNone) finish(unsettled);
}

std::map<PortRef, double> read_port_speeds(AgentPool& pool, const TrafficPlan& plan, const TrafficRunArgs& args,
                                           std::int64_t deadline_ns) {
  std::map<PortRef, double> gbps;
  std::set<std::string> host_set;
  for (const auto& t : plan.tests) {
    host_set.insert(t.a.host);
    host_set.insert(t.b.host);
  }
  if (args.line_rate_gbps || host_set.empty()) return gbps;
  const std::vector<std::string> hosts(host_set.begin(), host_set.end());
  for (auto& reply : pool.inventory(hosts, std::min(monotonic_ns() + kStartTimeoutNs, deadline_ns))) {
    if (!reply.ok()) continue;
    for (const auto& p : reply.value->ports) {
      // No speed, or 0 (a port with no carrier): no live figure, the inventory's may stand in.
      if (p.speed_mbps && *p.speed_mbps != 0) gbps[{reply.host, p.name}] = *p.speed_mbps / 1000.0;
    }
  }
  return gbps;
}

}  // namespace mixnet::coord

