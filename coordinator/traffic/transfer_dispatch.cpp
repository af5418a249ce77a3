#include "coordinator/traffic/transfer_dispatch.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/agents/traffic_calls.hpp"
#include "coordinator/traffic/traffic_schedule.hpp"   // kMaxRunsPerAgent

namespace mixnet::coord {

namespace {

enum class TransferStage { waiting, server, client, running, finished };

struct TransferState {
  TransferStage stage = TransferStage::waiting;
  std::string server_run;
  std::string client_run;
  int refusals = 0;              // 409s so far (the agent was full)
  std::int64_t retry_at_ns = 0;  // monotonic: not before this
};

// A refused start is tried again this much later, at most this often, before it fails.
constexpr std::int64_t kFullAgentRetryNs = 20'000'000;
constexpr int kMaxFullAgentRefusals = 250;   // 5 s of a full agent
// A long-poll of a running sender waits this long at the agent.
constexpr std::chrono::milliseconds kTransferPollWait{1000};

class TransferDispatcher {
 public:
  TransferDispatcher(AgentPool& pool, const std::vector<Transfer>& transfers, const TransferDispatchOptions& options)
      : pool_(pool), transfers_(transfers), options_(options), states_(transfers.size()) {
    result_.transfers.resize(transfers.size());
    limit_ = options.max_runs_per_agent > 0 ? options.max_runs_per_agent : kMaxRunsPerAgent;
    per_port_ = options.max_per_port > 0 ? options.max_per_port : kDefaultTransfersPerPort;
    for (std::size_t i = 0; i < transfers.size(); ++i) queue_.push_back(i);
  }

  TransferDispatchResult run() {
    // The first wave starts together: long enough ahead for its starts to reach every agent.
    const std::size_t first_wave = count_fitting();
    const std::int64_t ahead_ns = std::min<std::int64_t>(500'000'000, 30'000'000 + static_cast<std::int64_t>(first_wave) * 2'000'000);
    start_at_ns_ = realtime_ns() + ahead_ns;
    start_waiting();
    const auto stop = [&] { return finished_ == transfers_.size() || cancelled(); };
    while (!stop() && monotonic_ns() < options_.deadline_ns) {
      // Wake for retries of refused starts, at least every 20 ms. With nothing in flight run()
      // returns at once: wait for the retry instead of spinning.
      const std::int64_t wake = std::min(options_.deadline_ns, monotonic_ns() + kFullAgentRetryNs);
      if (in_flight_.empty()) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(std::max<std::int64_t>(0, wake - monotonic_ns())));
      } else {
        pool_.run(wake, stop);
      }
      if (!cancelled()) start_waiting();
    }
    end_unfinished();
    for (const auto& t : result_.transfers) {
      if (!t.ok) ++result_.failed;
      if (t.start_ns > 0 && (result_.first_start_ns == 0 || t.start_ns < result_.first_start_ns)) result_.first_start_ns = t.start_ns;
      result_.last_end_ns = std::max(result_.last_end_ns, t.end_ns);
    }
    return std::move(result_);
  }

 private:
  [[nodiscard]] bool cancelled() const { return options_.cancel != nullptr && options_.cancel->load(); }
  [[nodiscard]] std::string label(std::size_t i) const { return transfers_[i].from.str() + " -> " + transfers_[i].to.str(); }

  [[nodiscard]] bool fits(std::size_t i) const {
    const auto used = [&](const std::string& host) {
      const auto it = busy_.find(host);
      return it == busy_.end() ? std::size_t{0} : it->second;
    };
    const Transfer& t = transfers_[i];
    const auto port_busy = [](const std::map<PortRef, std::size_t>& m, const PortRef& p) {
      const auto it = m.find(p);
      return it == m.end() ? std::size_t{0} : it->second;
    };
    if (port_busy(sending_, t.from) >= per_port_ || port_busy(receiving_, t.to) >= per_port_) return false;
    if (t.from.host == t.to.host) return used(t.from.host) + 2 <= limit_;
    return used(t.from.host) < limit_ && used(t.to.host) < limit_;
  }

  std::size_t count_fitting() {
    std::size_t n = 0;
    const auto saved = std::tuple{busy_, sending_, receiving_};
    for (const std::size_t i : queue_) {
      if (!fits(i)) continue;
      hold(i);
      ++n;
    }
    std::tie(busy_, sending_, receiving_) = saved;
    return n;
  }

  void hold(std::size_t i) {
    ++busy_[transfers_[i].from.host];
    ++busy_[transfers_[i].to.host];
    ++sending_[transfers_[i].from];
    ++receiving_[transfers_[i].to];
  }

  // Starts every waiting transfer that fits now, in the order given.
  void start_waiting() {
    const std::int64_t now = monotonic_ns();
    for (auto it = queue_.begin(); it != queue_.end();) {
      const std::size_t i = *it;
      if (states_[i].retry_at_ns > now || !fits(i)) {
        ++it;
        continue;
      }
      it = queue_.erase(it);
      hold(i);
      start_server(i);
    }
  }

  void release(std::size_t i) {
    --busy_[transfers_[i].from.host];
    --busy_[transfers_[i].to.host];
    --sending_[transfers_[i].from];
    --receiving_[transfers_[i].to];
  }

  void finish(std::size_t i, bool ok, std::string message) {
    if (states_[i].stage == TransferStage::finished) return;
    const bool held = states_[i].stage != TransferStage::waiting;
    states_[i].stage = TransferStage::finished;
    if (held) release(i);
    result_.transfers[i].ok = ok;
    if (!ok) {
      result_.transfers[i].message = label(i) + ": " + std::move(message);
      // A receiver whose sender never came would hold its place at the agent until its accept
      // timeout: end it now.
      if (!states_[i].server_run.empty()) cancel_run({transfers_[i].to.host, states_[i].server_run});
    }
    ++finished_;
    if (!cancelled()) start_waiting();
  }

  // A start the agent refused because it was full goes back to the queue; any other refusal ends it.
  void refused(std::size_t i, const Error& error, std::string_view what) {
    if (error.code == Errc::conflict && states_[i].refusals < kMaxFullAgentRefusals) {
      ++states_[i].refusals;
      states_[i].retry_at_ns = monotonic_ns() + kFullAgentRetryNs;
      states_[i].stage = TransferStage::waiting;
      release(i);
      queue_.push_front(i);
      if (!states_[i].server_run.empty()) cancel_run({transfers_[i].to.host, states_[i].server_run});
      states_[i].server_run.clear();
      return;
    }
    finish(i, false, fmt::format("{}: {}", what, error.message));
  }

  void start_server(std::size_t i) {
    states_[i].stage = TransferStage::server;
    TrafficServerCall call{.host = transfers_[i].to.host, .request = {}};
    call.request.port = transfers_[i].to.port;
    call.request.sink = options_.sink == "copy" ? wire::TcpSink::copy : wire::TcpSink::discard;
    const std::int64_t left_ms = std::max<std::int64_t>(1000, (options_.deadline_ns - monotonic_ns()) / 1'000'000);
    call.request.duration_ms = static_cast<std::uint64_t>(left_ms);
    call.request.accept_timeout_ms = std::min<std::uint64_t>(call.request.duration_ms, wire::kDefaultAcceptTimeoutMs);
    submit(traffic_server_call(call), [this, i](JsonReply reply) {
      if (states_[i].stage != TransferStage::server) return;
      if (!reply.value) return refused(i, reply.value.error(), "the receiver could not start");
      auto started = wire::decode_traffic_server_started(*reply.value);
      if (!started) return finish(i, false, "the receiver's answer: " + started.error().message);
      states_[i].server_run = started->report.id;
      result_.transfers[i].server_run = started->report.id;
      start_client(i, started->report, started->secret);
    });
  }

  void start_client(std::size_t i, const wire::TrafficRunReport& server, const std::string& secret) {
    states_[i].stage = TransferStage::client;
    TrafficClientCall call{.host = transfers_[i].from.host, .request = {}};
    call.request.port = transfers_[i].from.port;
    call.request.peer = server.local_address;
    call.request.peer_tcp_port = server.tcp_port;
    call.request.bytes = transfers_[i].bytes;
    call.request.secret = secret;
    // On the sender's clock: the coordinator's instant plus the sender's offset.
    call.request.start_at_ns = start_at_ns_ + pool_.clock_offset_ns(transfers_[i].from.host).value_or(0);
    submit(traffic_client_call(call), [this, i](JsonReply reply) {
      if (states_[i].stage != TransferStage::client) return;
      if (!reply.value) return refused(i, reply.value.error(), "the sender could not start");
      auto report = wire::decode_traffic_run_report(*reply.value);
      if (!report) return finish(i, false, "the sender's answer: " + report.error().message);
      states_[i].client_run = report->id;
      result_.transfers[i].client_run = report->id;
      states_[i].stage = TransferStage::running;
      poll_client(i);
    });
  }

  void poll_client(std::size_t i) {
    const TrafficReadCall read{.host = transfers_[i].from.host, .id = states_[i].client_run, .bins = false, .wait = kTransferPollWait};
    submit(traffic_read_call(pool_, read), [this, i](JsonReply reply) {
      if (states_[i].stage != TransferStage::running) return;
      if (!reply.value && reply.value.error().code == Errc::not_found) return read_receiver(i, reply.value.error());
      if (!reply.value) return finish(i, false, "reading the sender's run " + states_[i].client_run + ": " + reply.value.error().message);
      auto report = wire::decode_traffic_run_report(*reply.value);
      if (!report) return finish(i, false, "the sender's report: " + report.error().message);
      if (!traffic_run_finished(*report)) return poll_client(i);
      settle(i, *report);
    });
  }

  // The sender's agent forgot the run: it keeps only its last 64 finished runs, and on a busy
  // host a layer finishes that many before a delayed read arrives. The receiver's report says the
  // same from the other end: every byte received, when the first and the last arrived.
  void read_receiver(std::size_t i, const Error& why_not_sender) {
    const TrafficReadCall read{.host = transfers_[i].to.host, .id = states_[i].server_run, .bins = false, .wait = kTransferPollWait};
    submit(traffic_read_call(pool_, read), [this, i, why_not_sender](JsonReply reply) {
      if (states_[i].stage != TransferStage::running) return;
      const auto gone = [&](const std::string& receiver) {
        finish(i, false, fmt::format("reading the sender's run {}: {}; and the receiver's run {}: {}", states_[i].client_run,
                                     why_not_sender.message, states_[i].server_run, receiver));
      };
      if (!reply.value) return gone(reply.value.error().message);
      auto report = wire::decode_traffic_run_report(*reply.value);
      if (!report) return gone(report.error().message);
      if (!traffic_run_finished(*report)) return read_receiver(i, why_not_sender);
      const std::int64_t offset = pool_.clock_offset_ns(transfers_[i].to.host).value_or(0);
      TransferOutcome& out = result_.transfers[i];
      if (report->start_ns > 0) out.start_ns = report->start_ns - offset;
      if (report->end_ns > 0) out.end_ns = report->end_ns - offset;
      out.bytes_confirmed = report->bytes;
      if (report->bytes < transfers_[i].bytes) {
        return finish(i, false, fmt::format("the receiver's run {} got {} of {} bytes (the sender's run {} was forgotten by its agent)",
                                            report->id, report->bytes, transfers_[i].bytes, states_[i].client_run));
      }
      finish(i, true, {});
    });
  }

  // A finished sender: its bytes against the transfer's, its stamps on our clock.
  void settle(std::size_t i, const wire::TrafficRunReport& report) {
    const std::int64_t offset = pool_.clock_offset_ns(transfers_[i].from.host).value_or(0);
    TransferOutcome& out = result_.transfers[i];
    if (report.start_ns > 0) out.start_ns = report.start_ns - offset;
    if (report.end_ns > 0) out.end_ns = report.end_ns - offset;
    out.bytes_confirmed = report.bytes_confirmed.value_or(0);
    if (report.state != "done") {
      std::string why = report.errors.empty() ? std::string{} : ": " + report.errors.front();
      return finish(i, false, fmt::format("the sender's run {} ended {}{}", report.id, report.state, why));
    }
    if (out.bytes_confirmed < transfers_[i].bytes) {
      return finish(i, false, fmt::format("the receiver confirmed {} of {} bytes (run {})", out.bytes_confirmed, transfers_[i].bytes, report.id));
    }
    finish(i, true, {});
  }

  void cancel_run(const TrafficRunRef& run) { submit(traffic_cancel_call(run), [](JsonReply) {}); }

  // The pool's submit, remembering what is in flight: the run loop sleeps when nothing is, and
  // what is still in flight when the dispatcher ends is abandoned, so no reply can reach it after.
  void submit(const AgentCall& call, std::function<void(JsonReply)> done) {
    const std::uint64_t token = next_token_++;
    in_flight_[token] = pool_.submit(call, [this, token, done = std::move(done)](JsonReply reply) {
      in_flight_.erase(token);
      done(std::move(reply));
    });
  }

  // Whatever did not end by the deadline (or was cancelled) fails, and its runs are cancelled.
  void end_unfinished() {
    std::vector<TrafficRunRef> runs;
    const std::string why = cancelled() ? "cancelled before it ended" : "did not end before the deadline";
    for (std::size_t i = 0; i < transfers_.size(); ++i) {
      if (states_[i].stage == TransferStage::finished) continue;
      if (!states_[i].client_run.empty()) runs.push_back({transfers_[i].from.host, states_[i].client_run});
      if (!states_[i].server_run.empty()) runs.push_back({transfers_[i].to.host, states_[i].server_run});
      states_[i].stage = TransferStage::finished;
      result_.transfers[i].message = label(i) + ": " + why;
    }
    queue_.clear();
    // Replies still on their way (long-polls, starts) would reach a dispatcher that is gone.
    for (const auto& [token, id] : in_flight_) pool_.abandon(id);
    in_flight_.clear();
    // The cancels get a few seconds of their own, since the step's deadline may be what ran out.
    if (!runs.empty()) cancel_traffic_runs(pool_, runs, monotonic_ns() + 5'000'000'000);
  }

  AgentPool& pool_;
  const std::vector<Transfer>& transfers_;
  const TransferDispatchOptions& options_;
  std::vector<TransferState> states_;
  std::deque<std::size_t> queue_;
  std::map<std::string, std::size_t> busy_;   // runs per host: each transfer holds one on each end
  std::map<PortRef, std::size_t> sending_;    // transfers per sending port
  std::map<PortRef, std::size_t> receiving_;  // transfers per receiving port
  std::size_t limit_ = kMaxRunsPerAgent;
  std::size_t per_port_ = kDefaultTransfersPerPort;
  std::size_t finished_ = 0;
  std::map<std::uint64_t, AgentPool::CallId> in_flight_;   // requests submitted and not yet answered
  std::uint64_t next_token_ = 0;
  std::int64_t start_at_ns_ = 0;
  TransferDispatchResult result_;
};

}  // namespace

TransferDispatchResult dispatch_transfers(AgentPool& pool, const std::vector<Transfer>& transfers,
                                          const TransferDispatchOptions& options) {
  TransferDispatcher dispatcher(pool, transfers, options);
  return dispatcher.run();
}

}  // namespace mixnet::coord
