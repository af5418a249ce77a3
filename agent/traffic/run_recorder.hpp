#pragma once
// What every traffic run records, whatever its transport: byte counters (total and per stream,
// lock-free on the hot path), interval samples, timeline bins, connection events, errors and the
// run's state. Engines feed it from their threads; report() turns it into the wire report.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/traffic/traffic_engine.hpp"
#include "common/wire/traffic_api.hpp"

namespace mixnet::agent::traffic {

inline constexpr std::size_t kMaxConnectionEvents = 1000;

class RunRecorder {
 public:
  // The timeline (when the spec asks for one) starts at the bin holding timeline_start_ns and holds
  // enough bins for timeline_horizon_ns.
  RunRecorder(std::string id, const TrafficSpec& spec, std::int64_t created_ns, std::int64_t timeline_start_ns,
              std::int64_t timeline_horizon_ns);

  // ---- hot path (any thread) ----
  void add_bytes(std::uint32_t stream, std::uint64_t n, std::int64_t now_realtime_ns);
  [[nodiscard]] bool timeline_enabled() const { return bins_ != nullptr; }
  [[nodiscard]] std::uint64_t total_bytes() const { return total_.load(std::memory_order_relaxed); }

  // ---- control (any thread) ----
  [[nodiscard]] RunState state() const { return state_.load(); }
  [[nodiscard]] std::int64_t start_ns() const { return start_ns_.load(); }
  [[nodiscard]] const std::string& id() const { return id_; }
  void mark_started(std::int64_t now_ns);                 // first connection; only the first call counts
  void finish(RunState final_state, std::int64_t now_ns);  // also closes the last interval
  void sample_interval(std::int64_t now_ns);               // the run's control thread, once per interval
  void event(std::uint32_t stream, std::string kind, std::string detail = {});
  void error(std::string message);
  void stream_connected(std::uint32_t stream);
  void stream_failed(std::uint32_t stream, std::string message);
  void stream_confirmed(std::uint32_t stream, std::uint64_t bytes);
  void reconnected() { reconnects_.fetch_add(1); }
  void connection_rejected() { rejected_connections_.fetch_add(1); }  // server: dropped, none of its bytes counted
  void set_streams(std::uint32_t n) { streams_.store(n); }
  void set_peer(std::string peer);
  void set_tcp_port(std::uint16_t port) { tcp_port_.store(port); }

  [[nodiscard]] wire::TrafficRunReport report(bool with_bins) const;

 private:
  const std::string id_;
  const TrafficSpec spec_;
  const std::int64_t created_ns_;
  std::atomic<RunState> state_{RunState::starting};
  std::atomic<std::uint32_t> streams_;
  std::atomic<std::uint16_t> tcp_port_;
  std::atomic<std::int64_t> start_ns_{0};
  std::atomic<std::int64_t> end_ns_{0};
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::uint64_t> rejected_connections_{0};
  std::unique_ptr<std::atomic<std::uint64_t>[]> stream_bytes_;
  std::unique_ptr<std::atomic<std::uint32_t>[]> stream_connections_;

  // Timeline: bins_[i] holds bytes in [bin_start_ns_ + i*bin_ns_, +bin_ns_).
  std::unique_ptr<std::atomic<std::uint64_t>[]> bins_;
  std::uint64_t bin_capacity_ = 0;
  std::int64_t bin_start_ns_ = 0;
  std::int64_t bin_ns_ = 0;
  std::atomic<std::uint64_t> overflow_bytes_{0};

  mutable std::mutex mu_;  // guards everything below
  std::optional<wire::CountersReply> counters_before_;   // set in the constructor
  std::optional<wire::CountersReply> counters_after_;
  std::string peer_;
  std::int64_t interval_from_ns_ = 0;
  std::uint64_t interval_from_bytes_ = 0;
  std::vector<wire::TrafficInterval> intervals_;
  std::vector<wire::TrafficConnectionEvent> events_;
  std::uint64_t events_dropped_ = 0;
  std::vector<std::string> errors_;
  std::vector<std::string> stream_errors_;
  std::vector<std::optional<std::uint64_t>> confirmed_;
};

}  // namespace mixnet::agent::traffic
