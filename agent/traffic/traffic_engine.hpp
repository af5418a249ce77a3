#pragma once
// TrafficEngine: one interface for every way the agent moves test traffic over a data port (TCP
// and RDMA verbs in rdma/). An engine turns a resolved TrafficSpec into a running TrafficRun; the run
// works on its own threads (never on the agent's io_context), honours its deadline and a cancel,
// and can be asked for a report at any moment.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/traffic/run_secret.hpp"
#include "common/result.hpp"
#include "common/wire/traffic_api.hpp"

namespace mixnet::agent::traffic {

enum class Role { server, client };
enum class RunState { starting, running, done, failed, cancelled };

std::string_view to_string(Role role);
std::string_view to_string(RunState state);
inline bool is_finished(RunState s) { return s == RunState::done || s == RunState::failed || s == RunState::cancelled; }

// What to run, with everything the API layer resolved: the port's ifindex and an address of it.
struct TrafficSpec {
  Role role = Role::client;
  std::string transport = "tcp";
  std::string port;                          // the data port (netdev) traffic must cross
  int ifindex = 0;
  std::string local_address;                 // an address of `port` (same family as peer for a client)
  std::string peer;                          // client: the server's address
  std::uint16_t tcp_port = 0;                // server: where to listen (0: any); client: the server's port
  std::uint32_t streams = 1;                 // client: parallel streams
  std::optional<std::chrono::milliseconds> duration;  // client: send this long; server: its lifetime
  std::optional<std::uint64_t> bytes;        // client: send this many bytes in all
  std::optional<std::uint64_t> rate_mbps;    // tcp client: pace the run to this (all streams together)
  std::chrono::milliseconds accept_timeout{wire::kDefaultAcceptTimeoutMs};  // server: first client by then
  std::chrono::milliseconds max_duration{wire::kMaxTrafficDurationMs};      // hard bound on any run
  std::chrono::milliseconds interval{wire::kDefaultTrafficIntervalMs};
  std::optional<wire::TimelineOptions> timeline;
  std::optional<wire::RdmaOptions> rdma;     // transport "rdma": verb, size, QPs ...; a client's rdma.peer
  std::optional<std::int64_t> start_at_ns;   // tcp client: connect at once, start sending then (CLOCK_REALTIME)
  wire::TcpSink sink = wire::kDefaultTcpSink;  // tcp server: discard the payload in the kernel or copy it out
  // tcp: the run's secret (run_secret.hpp). A server admits only hellos that carry it (the API
  // made it fresh for this server); a client sends it (the API took it from the request). A TCP
  // run without one is refused: no run is open to anyone on the data network.
  std::optional<RunSecret> secret;
  // Called on the run's own thread the moment it reaches its final state (RunRecorder::finish),
  // once. The manager sets it, so readers waiting for the run's end are answered at once.
  std::function<void()> on_finished;
  // Called on a server's connection thread for each connection it dropped before counting any of
  // its bytes (no hello, a malformed one, a missing or wrong secret): the agent's /metrics total.
  std::function<void()> on_rejected_connection;
  // Reads this port's counters (GET /v1/counters for one port); the recorder calls it when the run
  // is created and when it finishes, so the report says what the port counted around the run.
  // Unset (unit tests): no counters in the report.
  std::function<Result<wire::CountersReply>()> read_counters;
};

class TrafficRun {
 public:
  virtual ~TrafficRun() = default;  // implementations cancel and join their threads
  TrafficRun() = default;
  TrafficRun(const TrafficRun&) = delete;
  TrafficRun& operator=(const TrafficRun&) = delete;

  [[nodiscard]] virtual RunState state() const = 0;
  // State and results so far; bins only when asked (they can be large).
  [[nodiscard]] virtual wire::TrafficRunReport report(bool with_bins) const = 0;
  // Asks the run to stop; returns at once. The run reaches `cancelled` within a few hundred ms.
  virtual void cancel() = 0;
  // The other side's endpoint, for a run that waits for one (an RDMA server waits for its
  // client's QPs: POST /v1/traffic/runs/{id}/peer). Other runs refuse.
  virtual Result<void> attach_peer(const wire::RdmaEndpoint& /*peer*/) {
    return fail(Errc::conflict, "this run takes no peer endpoint (only an RDMA server does)", "id");
  }
};

class TrafficEngine {
 public:
  virtual ~TrafficEngine() = default;
  [[nodiscard]] virtual std::string_view transport() const = 0;
  // Validates what only the engine can judge, sets up what must exist before the reply (a server's
  // listening socket, so its port is known) and starts the run's threads.
  virtual Result<std::unique_ptr<TrafficRun>> start(std::string id, const TrafficSpec& spec) = 0;
};

}  // namespace mixnet::agent::traffic
