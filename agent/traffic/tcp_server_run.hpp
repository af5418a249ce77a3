#pragma once
// The receiving side of a TCP traffic test. It listens on the port's address, bound to the port,
// and serves one client session (identified by the hello's session id, admitted only with the
// run's secret: run_secret.hpp): one connection per stream,
// or several in turn when a stream reconnects after an outage (the newer replaces the older).
// It counts what arrives, per stream, per interval and (timeline mode) per bin, discarding the payload
// in the kernel or copying it out as the spec's sink says (tcp_payload_sink.hpp), and ends when every
// stream has ended cleanly, when its lifetime passes, or when cancelled.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "agent/traffic/run_recorder.hpp"
#include "agent/traffic/tcp_socket.hpp"
#include "agent/traffic/traffic_engine.hpp"

namespace mixnet::agent::traffic {

// Connections a run serves at once (each has a thread); one that ended, a stranger's rejected one
// included, gives its place back, so strangers cannot use up the announced client's places.
inline constexpr std::size_t kMaxServerConnections = 256;

class TcpServerRun final : public TrafficRun {
 public:
  // Binds and listens before returning, so the reply can say which TCP port to use.
  static Result<std::unique_ptr<TrafficRun>> start(std::string id, const TrafficSpec& spec);
  ~TcpServerRun() override;

  [[nodiscard]] RunState state() const override { return recorder_.state(); }
  [[nodiscard]] wire::TrafficRunReport report(bool with_bins) const override {
    auto r = recorder_.report(with_bins);
    r.sink = std::string(wire::to_string(spec_.sink));
    return r;
  }
  void cancel() override { cancel_.store(true); }

  TcpServerRun(std::string id, const TrafficSpec& spec, UniqueFd listener, std::uint16_t tcp_port, std::int64_t created_ns);

 private:
  struct Connection {
    UniqueFd fd;
    std::string peer;
    std::atomic<bool> superseded{false};
    std::atomic<bool> finished{false};  // its thread has returned: join it
  };
  struct Worker {
    std::thread thread;
    std::shared_ptr<Connection> connection;
  };

  void control_loop();
  void serve(const std::shared_ptr<Connection>& c);
  // Drops a connection before it was admitted (none of its bytes counted), saying why in a
  // `rejected` event, and counts it in the report and the agent's /metrics.
  void reject(const Connection& c, const std::string& why);
  // Registers the connection for its stream; an error says why it is refused.
  Result<std::uint32_t> admit(const std::shared_ptr<Connection>& c, const struct StreamHello& hello);
  void end_stream(std::uint32_t stream, const std::shared_ptr<Connection>& c, bool clean);

  const TrafficSpec spec_;
  RunRecorder recorder_;
  UniqueFd listener_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> stopping_{false};

  std::mutex mu_;  // the session and its streams
  std::optional<std::uint64_t> session_;
  std::uint32_t streams_ = 0;
  std::vector<std::shared_ptr<Connection>> current_;
  std::vector<bool> ended_;
  std::vector<bool> seen_;
  std::uint32_t ended_count_ = 0;
  std::int64_t last_end_ns_ = 0;

  // Joins the workers whose connection has finished (the control thread, before admitting more).
  void reap_finished_workers();

  std::vector<Worker> workers_;  // touched by the control thread only
  std::thread control_;
};

}  // namespace mixnet::agent::traffic
