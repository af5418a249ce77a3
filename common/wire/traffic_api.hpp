#pragma once
// The traffic-test part of the agent API (docs/agent-api.md, "Traffic tests"): requests that start
// a receiving server or a sending client run on one data port, and the report of a run (state,
// Gb/s per interval and in total, per-stream figures, connection events, timeline bins).
//
// Same conventions as agent_api.hpp: strict request objects (unknown keys are errors naming the
// key), errors name the bad field ("timeline.bin_us"), times are CLOCK_REALTIME ns in *_ns fields.
// Rates are decimal Gb/s: bits / 1e9 per second.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/wire/counters_api.hpp"
#include "common/wire/rdma_api.hpp"

namespace mixnet::wire {

// Bounds on every input; docs/agent-api.md quotes them.
inline constexpr std::uint32_t kMaxTrafficStreams = 64;
inline constexpr std::uint64_t kMaxTrafficDurationMs = 3'600'000;            // one hour
inline constexpr std::uint64_t kMaxTrafficBytes = 1ULL << 50;                // 1 PiB
inline constexpr std::uint64_t kMaxTrafficRateMbps = 10'000'000;           // 10 Tb/s: a pacing bound, not a speed
inline constexpr std::uint32_t kMinTrafficIntervalMs = 10;
inline constexpr std::uint32_t kMaxTrafficIntervalMs = 60'000;
inline constexpr std::uint32_t kDefaultTrafficIntervalMs = 1'000;
inline constexpr std::uint64_t kMaxTrafficIntervals = 100'000;              // duration / interval
inline constexpr std::uint32_t kMinBinUs = 100;
inline constexpr std::uint32_t kMaxBinUs = 1'000'000;
inline constexpr std::uint32_t kDefaultBinUs = 1'000;                       // 1 ms bins
inline constexpr std::uint64_t kMaxTimelineBins = 4'000'000;                 // 32 MB of counters
inline constexpr std::uint64_t kDefaultGapMinUs = 10'000;
inline constexpr std::uint64_t kDefaultServerDurationMs = 60'000;
inline constexpr std::uint64_t kDefaultAcceptTimeoutMs = 30'000;
inline constexpr std::uint64_t kDefaultReconnectTimeoutMs = 10'000;
inline constexpr std::uint64_t kMaxReconnectTimeoutMs = 600'000;
inline constexpr std::uint64_t kDefaultConnectTimeoutMs = 3'000;
inline constexpr std::uint64_t kDefaultStallTimeoutMs = 2'000;
inline constexpr std::uint64_t kMinStallTimeoutMs = 100;
inline constexpr std::size_t kMaxTransportName = 16;
// A TCP server's run secret: 128 random bits as 32 lower-case hex digits (docs/agent-api.md,
// "Who may send to a server").
inline constexpr std::size_t kRunSecretHexDigits = 32;

// ---- requests ------------------------------------------------------------------------------

// What a TCP server does with the payload it receives (docs/agent-api.md, "What the server does
// with the payload"). discard: TCP counts it and drops it in the kernel (recv with MSG_TRUNC), so
// the figure is the link's and the host's copy path costs nothing; copy: every byte is copied into
// a user-space buffer, 128 KiB per recv as iperf3's receiver does, so the host's receive path is
// part of what is measured. The default is discard: the agent's tests are of links and circuits,
// and on a GPU host the CPU a copy takes belongs to the sender and to the training job.
enum class TcpSink { discard, copy };
inline constexpr TcpSink kDefaultTcpSink = TcpSink::discard;
std::string_view to_string(TcpSink sink);
// "discard" or "copy"; errors name `field`.
Result<TcpSink> parse_tcp_sink(const nlohmann::json& value, std::string_view field);

// Timeline mode: delivered (server) or written (client) bytes in fixed bins whose starts are
// CLOCK_REALTIME multiples of the bin width. A client in timeline mode keeps one continuous stream
// per stream index and reconnects when a connection breaks (a circuit went away and TCP gave up).
// Its first connection may be made while the port is still dark (a circuit being set up): it waits
// for carrier and retries until connect_timeout_ms after the run's start.
struct TimelineOptions {
  std::uint32_t bin_us = kDefaultBinUs;                        // 100..1000000
  std::uint64_t gap_min_us = kDefaultGapMinUs;                 // shortest run of empty bins reported as a gap
  std::uint64_t reconnect_timeout_ms = kDefaultReconnectTimeoutMs;  // client: give up reconnecting after this
  std::uint64_t stall_timeout_ms = kDefaultStallTimeoutMs;     // client: unacknowledged data this long breaks the connection
  std::uint64_t connect_timeout_ms = kDefaultConnectTimeoutMs;  // client: first connection by then (from the run's start)
};

// POST /v1/traffic/servers: a receiver on one data port.
struct TrafficServerRequest {
  std::string port;                        // managed netdev; the server binds to it and its address
  std::string transport = "tcp";
  std::uint16_t tcp_port = 0;              // 0: the kernel picks; the reply says which
  std::uint64_t duration_ms = kDefaultServerDurationMs;        // the server ends by then whatever happens
  std::uint64_t accept_timeout_ms = kDefaultAcceptTimeoutMs;   // the first client must connect by then
  std::uint32_t interval_ms = kDefaultTrafficIntervalMs;
  std::optional<TimelineOptions> timeline;
  std::optional<RdmaOptions> rdma;         // transport "rdma" only (rdma_api.hpp)
  TcpSink sink = kDefaultTcpSink;          // transport "tcp" only: "sink" in the request
};

// POST /v1/traffic/runs: a sender on one data port towards a server.
struct TrafficRunRequest {
  std::string port;
  std::string transport = "tcp";
  std::string peer;                        // the server's address (IPv4 or IPv6, canonical text)
  std::uint16_t peer_tcp_port = 0;         // tcp: 1..65535, from the server's reply; rdma: not used
  std::uint32_t streams = 1;               // 1..kMaxTrafficStreams
  std::optional<std::uint64_t> duration_ms;  // exactly one of duration_ms and bytes
  std::optional<std::uint64_t> bytes;
  // tcp: pace the run to this many Mb/s in all (split evenly over the streams, SO_MAX_PACING_RATE);
  // absent: as fast as the path allows.
  std::optional<std::uint64_t> rate_mbps;
  std::uint32_t interval_ms = kDefaultTrafficIntervalMs;
  std::optional<TimelineOptions> timeline;
  std::optional<RdmaOptions> rdma;         // transport "rdma": required, with rdma.peer
  // tcp without a timeline: connect at once, then start sending at this CLOCK_REALTIME instant
  // (at once when it has passed), so the runs of a round all start together. Absent: at once.
  std::optional<std::int64_t> start_at_ns;
  // tcp: required, the secret of the server's start reply (TrafficServerStarted); the client sends
  // it in every stream's hello and the server admits nothing without it. rdma: not used (its
  // endpoints are exchanged through this API).
  std::string secret;
};

// How far ahead of the agent's clock start_at_ns may lie: a run waiting to start holds a
// connection and one of the agent's active runs.
inline constexpr std::int64_t kMaxStartAheadNs = 60'000'000'000;

// POST /v1/traffic/runs/{id}/peer: the other side's endpoint, for a run that waits for one (an
// RDMA server waits for its client's QPs).
struct TrafficPeerRequest {
  RdmaEndpoint endpoint;
};

// GET /v1/traffic/runs/{id}?bins=0|1
struct TrafficRunQuery {
  bool bins = true;
  std::uint64_t wait_ms = 0;   // 0..kMaxWaitMs: while the run is unfinished, wait up to this long for its end
};

// A transport name: 1..16 of [a-z0-9_-]. Whether an engine exists for it is the agent's call.
Result<std::string> validate_transport(std::string_view name, std::string_view field);
// A run id as the agent hands them out ("tr-12").
Result<std::string> validate_run_id(std::string_view id, std::string_view field);
// A run secret: exactly kRunSecretHexDigits lower-case hex digits. The error never quotes the text.
Result<std::string> validate_run_secret(std::string_view text, std::string_view field);

Result<TrafficServerRequest> parse_traffic_server_request(const nlohmann::json& body);
Result<TrafficRunRequest> parse_traffic_run_request(const nlohmann::json& body);
Result<TrafficServerRequest> parse_traffic_server_body(std::string_view body);
Result<TrafficRunRequest> parse_traffic_run_body(std::string_view body);
Result<TrafficPeerRequest> parse_traffic_peer_body(std::string_view body);
Result<TrafficRunQuery> parse_traffic_run_query(const std::map<std::string, std::string>& query);

// ---- reports -------------------------------------------------------------------------------

struct TrafficInterval {
  std::int64_t start_ns = 0;
  std::int64_t duration_ns = 0;
  std::uint64_t bytes = 0;
  double gbps = 0;
};

struct TrafficStreamReport {
  std::uint32_t index = 0;
  std::uint64_t bytes = 0;
  double gbps = 0;                         // over the run's elapsed time
  std::uint32_t connections = 0;           // more than 1: it reconnected
  std::string error;                       // empty when the stream ended cleanly
};

// A run of empty bins between bins that carried data: an outage as the traffic saw it.
struct TrafficGap {
  std::int64_t start_ns = 0;               // start of the first empty bin
  std::int64_t end_ns = 0;                 // start of the next bin with data
  std::uint64_t bins = 0;
};

struct TrafficTimeline {
  std::int64_t start_ns = 0;               // start of bin 0, a multiple of bin_us * 1000
  std::uint32_t bin_us = kDefaultBinUs;
  std::uint64_t bin_count = 0;             // bins covered so far (bins.size() unless omitted)
  std::uint64_t capacity = 0;              // the most bins this run can hold
  std::uint64_t overflow_bytes = 0;        // bytes that fell after the last bin
  std::vector<std::uint64_t> bins;         // bytes per bin; empty when the query said bins=0
  std::vector<TrafficGap> gaps;
};

struct TrafficConnectionEvent {
  std::int64_t time_ns = 0;
  std::uint32_t stream = 0;
  std::string kind;                        // connected, broken, closed, refused
  std::string detail;
};

struct TrafficRunReport {
  std::string id;
  std::string role;                        // "server" | "client"
  std::string transport;
  std::string port;
  std::string local_address;
  std::uint16_t tcp_port = 0;              // server: where it listens; client: the peer's port
  std::string peer;                        // client: the server's address; server: the client's, once known
  std::string state;                       // starting, running, done, failed, cancelled
  std::int64_t created_ns = 0;
  std::int64_t start_ns = 0;               // first connection (0 before)
  std::int64_t end_ns = 0;                 // 0 while not finished
  std::uint32_t streams = 0;
  std::uint64_t bytes = 0;                 // client: written to sockets; server: received
  std::optional<std::uint64_t> bytes_confirmed;  // client: what the server said it received (clean ends)
  double seconds = 0;                      // start to end (or to now while running)
  double gbps = 0;                         // bytes * 8 / 1e9 / seconds
  std::uint64_t reconnects = 0;
  std::vector<TrafficInterval> intervals;
  std::vector<TrafficStreamReport> per_stream;
  std::vector<TrafficConnectionEvent> events;
  std::vector<std::string> errors;
  std::optional<TrafficTimeline> timeline;
  std::optional<RdmaRunReport> rdma;       // transport "rdma": device, GID, endpoint, bandwidth
  std::string sink;                        // tcp server: "discard" or "copy"; empty otherwise
  // tcp server: connections dropped before anything they sent was counted: no hello within its
  // deadline, a malformed one, or one without the run's secret (a stranger on the data network).
  std::uint64_t rejected_connections = 0;
  // The run's port counters (GET /v1/counters' reading of this one port), read by the agent when
  // the run was created and when it finished: what the port counted around exactly this run.
  std::optional<CountersReply> counters_before;
  std::optional<CountersReply> counters_after;   // set once the run has finished
};

struct TrafficRunList {
  std::vector<TrafficRunReport> runs;      // summaries: no intervals, events or bins
};

// The answer to POST /v1/traffic/servers: the new run's report and, for a TCP server, the secret
// its one client must present (TrafficRunRequest::secret). Only this answer carries the secret:
// no report, list or log does, so it goes only to whoever started the server with the token.
struct TrafficServerStarted {
  TrafficRunReport report;
  std::string secret;                      // tcp: 32 hex digits; rdma: empty
};

void to_json(nlohmann::json& j, const TimelineOptions& v);
void to_json(nlohmann::json& j, const TrafficServerRequest& v);
void to_json(nlohmann::json& j, const TrafficRunRequest& v);
void to_json(nlohmann::json& j, const TrafficInterval& v);
void to_json(nlohmann::json& j, const TrafficStreamReport& v);
void to_json(nlohmann::json& j, const TrafficGap& v);
void to_json(nlohmann::json& j, const TrafficTimeline& v);
void to_json(nlohmann::json& j, const TrafficConnectionEvent& v);
void to_json(nlohmann::json& j, const TrafficRunReport& v);
void to_json(nlohmann::json& j, const TrafficRunList& v);
void to_json(nlohmann::json& j, const TrafficServerStarted& v);   // the report's keys plus "secret"

void from_json(const nlohmann::json& j, TrafficInterval& v);
void from_json(const nlohmann::json& j, TrafficStreamReport& v);
void from_json(const nlohmann::json& j, TrafficGap& v);
void from_json(const nlohmann::json& j, TrafficTimeline& v);
void from_json(const nlohmann::json& j, TrafficConnectionEvent& v);
void from_json(const nlohmann::json& j, TrafficRunReport& v);
void from_json(const nlohmann::json& j, TrafficRunList& v);

// Reads a report from JSON; a shape mismatch is Errc::protocol.
Result<TrafficRunReport> decode_traffic_run_report(const nlohmann::json& j);
// Reads a server's start answer: the report, and the secret a TCP server must give (protocol
// error naming "secret" when it is missing or malformed).
Result<TrafficServerStarted> decode_traffic_server_started(const nlohmann::json& j);

}  // namespace mixnet::wire
