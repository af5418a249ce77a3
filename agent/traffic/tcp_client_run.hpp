#pragma once
// The sending side of a TCP traffic test: `streams` connections from the port's address, bound to
// the port, to a TcpServerRun. All streams connect first, then start together; the run sends for
// its duration (or until its byte count is out), half-closes each stream and waits for the
// server's receipt, so the bytes it reports were delivered. In timeline mode a broken connection
// (TCP gave up: TCP_USER_TIMEOUT) is re-established until reconnect_timeout_ms passes, and the
// first connection may be made while the port is still dark (a circuit being set up): each stream
// waits for carrier and retries short attempts until connect_timeout_ms after the run's start. A
// timeline run's duration counts from the run's start (its bins do too), not from the connection.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/traffic/run_recorder.hpp"
#include "agent/traffic/tcp_socket.hpp"
#include "agent/traffic/traffic_engine.hpp"

namespace mixnet::agent::traffic {

class TcpClientRun final : public TrafficRun {
 public:
  static Result<std::unique_ptr<TrafficRun>> start(std::string id, const TrafficSpec& spec);
  TcpClientRun(std::string id, const TrafficSpec& spec);
  ~TcpClientRun() override;

  [[nodiscard]] RunState state() const override { return recorder_.state(); }
  [[nodiscard]] wire::TrafficRunReport report(bool with_bins) const override { return recorder_.report(with_bins); }
  void cancel() override;

 private:
  enum class Gate { waiting, go, abort };

  void control_loop();
  void stream_main(std::uint32_t stream);
  Result<UniqueFd> open_stream(std::uint32_t stream, std::chrono::milliseconds timeout);
  // Timeline mode: the first connection, waiting for carrier and retrying until connect_timeout_ms.
  Result<UniqueFd> first_connection(std::uint32_t stream);
  [[nodiscard]] std::int64_t duration_ns() const;
  // Sends until done; returns the connection still open (for the receipt) or an error.
  Result<UniqueFd> send_all(std::uint32_t stream, UniqueFd fd);
  void stream_done();

  const TrafficSpec spec_;
  RunRecorder recorder_;
  const std::uint64_t session_;
  const std::int64_t started_mono_;  // the run's start (monotonic): a timeline run's duration counts from here
  std::atomic<bool> cancel_{false};
  std::atomic<std::int64_t> deadline_mono_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  Gate gate_ = Gate::waiting;
  std::uint32_t connected_ = 0;
  std::uint32_t failed_ = 0;
  std::uint32_t finished_ = 0;
  std::int64_t last_end_ns_ = 0;

  std::vector<std::thread> workers_;
  std::thread control_;
};

}  // namespace mixnet::agent::traffic
