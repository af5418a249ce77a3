#pragma once
// Typed batch calls for the agent's traffic-test API (docs/agent-api.md, "Traffic tests"), on an
// AgentPool: start receiving servers, start sending client runs, read run reports (with or
// without timeline bins), cancel runs, hand an RDMA server its client's endpoint. Each is a batch
// like the pool's own calls: every entry in parallel, each with its own outcome, in the order
// given; an error's message starts with the host and the request
// ("h2: POST /v1/traffic/servers: HTTP 503 unavailable: port: port ocs0 has no RDMA device ...").
// Replies are decoded with the wire types of common/wire/traffic_api.hpp.
//
// Retries: starting a server or a client creates a run, so it is sent again only when the
// connection could not be made at all (the pool's rule for non-idempotent requests); reads and
// cancels are idempotent and retried like any read.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/wire/traffic_api.hpp"
#include "coordinator/agents/agent_pool.hpp"

namespace mixnet::coord {

struct TrafficServerCall {
  std::string host;
  wire::TrafficServerRequest request;
};

struct TrafficClientCall {
  std::string host;
  wire::TrafficRunRequest request;
};

// A run on one agent: what a server or client reply's `id` names.
struct TrafficRunRef {
  std::string host;
  std::string id;     // "tr-12"
};

struct TrafficReadCall {
  std::string host;
  std::string id;
  bool bins = false;  // true: the timeline's bins too (?bins=1); false: ?bins=0 (gaps stay)
  std::chrono::milliseconds wait{0};  // > 0: a long-poll, answered when the run ends or after this long
};

// RDMA: the client's endpoint for a server that waits for one (POST /v1/traffic/runs/{id}/peer).
struct TrafficPeerCall {
  std::string host;
  std::string id;
  nlohmann::json endpoint;   // the client's `rdma.endpoint`, passed through as the agent gave it
};

using TrafficReply = AgentReply<wire::TrafficRunReport>;
// A server's start answer: its report and (TCP) the secret its client must be given in
// TrafficRunRequest::secret. Keep the secret with the flow only: it goes in no report or store.
using TrafficServerReply = AgentReply<wire::TrafficServerStarted>;

// The wire form of each request, for a caller that drives the pool itself (AgentPool::submit,
// e.g. the transfer dispatcher): the batches below send exactly these. Replies decode with
// wire::decode_traffic_server_started / wire::decode_traffic_run_report.
AgentCall traffic_server_call(const TrafficServerCall& call);
AgentCall traffic_client_call(const TrafficClientCall& call);
AgentCall traffic_read_call(const AgentPool& pool, const TrafficReadCall& call);   // a long-poll's timeout covers its wait
AgentCall traffic_cancel_call(const TrafficRunRef& run);

// POST /v1/traffic/servers per entry. deadline_ns (monotonic_ns()) bounds the batch; 0: the
// pool's default.
std::vector<TrafficServerReply> start_traffic_servers(AgentPool& pool, const std::vector<TrafficServerCall>& calls,
                                                std::int64_t deadline_ns = 0);
// POST /v1/traffic/runs per entry.
std::vector<TrafficReply> start_traffic_clients(AgentPool& pool, const std::vector<TrafficClientCall>& calls,
                                                std::int64_t deadline_ns = 0);
// GET /v1/traffic/runs/{id}?bins=0|1 per entry.
std::vector<TrafficReply> read_traffic_runs(AgentPool& pool, const std::vector<TrafficReadCall>& calls,
                                            std::int64_t deadline_ns = 0);
// DELETE /v1/traffic/runs/{id} per entry: the report as it was when the cancel arrived (the run
// reaches `cancelled` within a few hundred ms; a finished run is unchanged).
std::vector<TrafficReply> cancel_traffic_runs(AgentPool& pool, const std::vector<TrafficRunRef>& runs,
                                              std::int64_t deadline_ns = 0);
// POST /v1/traffic/runs/{id}/peer per entry (RDMA servers only; others answer 409).
std::vector<TrafficReply> hand_traffic_peers(AgentPool& pool, const std::vector<TrafficPeerCall>& calls,
                                             std::int64_t deadline_ns = 0);

// done, failed or cancelled: the report will not change any more.
bool traffic_run_finished(const wire::TrafficRunReport& report);

struct TrafficWaitOptions {
  std::int64_t deadline_ns = 0;                          // monotonic_ns(); required
  // The longest one read of an unfinished run waits for its end (the agent answers the moment the
  // run ends): `cancel` is looked at between reads.
  std::chrono::milliseconds slice{1000};
  const std::atomic<bool>* cancel = nullptr;             // set: stop waiting (the runs are not cancelled)
  // Called with each reply as it is read (finished or not), e.g. to show progress.
  std::function<void(std::size_t index, const TrafficReply&)> on_read;
};

// Reads the runs until each is finished, its read fails, the deadline passes or `cancel` is set;
// returns the last reply of each (in the order given). Runs not finished by then are returned
// with their last report (check traffic_run_finished), or with the read's error. Each read of an
// unfinished run is a long-poll (?wait_ms=), so a run's end is seen the moment the agent sees it,
// without polling. Bins are read only on the final read of a run that asked for them (bins=true).
std::vector<TrafficReply> wait_traffic_runs(AgentPool& pool, const std::vector<TrafficReadCall>& calls,
                                            const TrafficWaitOptions& options);

}  // namespace mixnet::coord
