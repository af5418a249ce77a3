#pragma once
// The agent's traffic runs: which engines exist (by transport name), the runs started through the
// API (active and recently finished), and the limits on them. Runs work on their own threads; the
// manager only starts, looks up, cancels and forgets them, so calls return at once.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/traffic/traffic_engine.hpp"
#include "common/result.hpp"
#include "common/wire/traffic_api.hpp"

namespace mixnet::agent::traffic {

struct TrafficLimits {
  std::size_t max_active = 16;    // runs starting or running at once; more are refused (409)
  std::size_t max_kept = 64;      // finished runs kept for reading; the oldest go first
};

class TrafficManager {
 public:
  explicit TrafficManager(TrafficLimits limits = {});
  ~TrafficManager();  // cancels every run and waits for its threads
  TrafficManager(const TrafficManager&) = delete;
  TrafficManager& operator=(const TrafficManager&) = delete;

  void add_engine(std::unique_ptr<TrafficEngine> engine);
  // Called on a run's own thread each time a run finishes (done, failed or cancelled); set before
  // the first start. The agent posts a wake-up of GET /v1/traffic/runs/{id}?wait_ms= readers.
  void on_run_finished(std::function<void()> hook);
  // invalid_argument naming "transport" when no engine speaks it.
  [[nodiscard]] Result<void> check_transport(std::string_view transport) const;

  Result<wire::TrafficRunReport> start(const TrafficSpec& spec);
  Result<wire::TrafficRunReport> get(const std::string& id, bool with_bins) const;
  // The run's state; nullopt when no run has that id (never started, or forgotten).
  [[nodiscard]] std::optional<RunState> state_of(const std::string& id) const;
  Result<wire::TrafficRunReport> cancel(const std::string& id);
  // Hands a run the other side's endpoint (an RDMA server); answers with its report.
  Result<wire::TrafficRunReport> attach_peer(const std::string& id, const wire::RdmaEndpoint& peer);
  [[nodiscard]] wire::TrafficRunList list() const;
  [[nodiscard]] std::size_t active() const;
  // Connections every server run has dropped before counting their bytes (no hello, a malformed
  // one, a missing or wrong secret), since the agent started: /metrics.
  [[nodiscard]] std::uint64_t rejected_connections() const { return rejected_connections_->load(); }

 private:
  void forget_old_runs();  // with mu_ held

  const TrafficLimits limits_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<TrafficEngine>> engines_;
  std::map<std::uint64_t, std::pair<std::string, std::unique_ptr<TrafficRun>>> runs_;  // by start order
  std::uint64_t next_seq_ = 1;
  std::function<void()> on_finished_;
  // Shared with the runs' hooks, so a run that outlives its forgetting still counts safely.
  std::shared_ptr<std::atomic<std::uint64_t>> rejected_connections_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

}  // namespace mixnet::agent::traffic
