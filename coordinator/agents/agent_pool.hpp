#pragma once
// The coordinator's client for every mixnet-agent of the inventory (docs/agent-api.md): one
// libcurl multi handle drives the requests to all agents in parallel. The core primitive is the
// batch: "do X on all these hosts, wait for all, each with its own outcome". A dead agent fails
// its own entries (refused, timed out) and nothing else.
//
// It also keeps a table of port states per agent, built from the agent's inventory and its event
// journal (read through the pool's own JournalCursor, journal_cursor.hpp; other readers keep
// theirs, journal_reader.hpp), so a step can wait for links by long-polling instead of polling,
// and learn when each link came up in the agent's own time stamps. And the clock offset of each
// agent, from the best GET /v1/clock round trip (the arithmetic is coordinator/measure's).
//
// One thread uses a pool at a time (the engine runs one step at a time). Sockets are opened by
// that thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "common/wire/agent_api.hpp"
#include "coordinator/agents/http_multi.hpp"
#include "coordinator/agents/journal_cursor.hpp"
#include "coordinator/agents/link_state.hpp"
#include "coordinator/measure/clock_alignment.hpp"

namespace mixnet::coord {

struct Inventory;

struct AgentEndpoint {
  std::string host;    // the inventory's host name
  std::string url;     // "http://198.19.240.11:7470", no trailing slash
  std::string token;   // bearer token; empty: none sent
  std::string ca_file; // https: the CA the agent's certificate is verified against; empty: the system's
  std::string client_cert_file;  // https: the client certificate presented (mutual TLS); empty: none
  std::string client_key_file;   // its key (checked owner-only when the pool is made)
  std::optional<Error> broken;   // set when the endpoint cannot be used (unreadable token file):
                                 // every call to this host fails with it
};

// Connections the pool keeps open per agent between requests (make_agent_pool raises the open
// files limit for them).
inline constexpr long kConnectionsPerAgent = 16;

struct AgentPoolOptions {
  std::chrono::milliseconds request_timeout{5000};   // one attempt of an ordinary request
  std::chrono::milliseconds connect_timeout{2000};
  int attempts = 3;                                  // idempotent requests; others: connect failures only
  std::chrono::milliseconds backoff{50};             // doubles per attempt
};

// One host's outcome of a batch entry. `value` holds either the decoded reply or an Error whose
// message starts with the host ("h2: GET /v1/inventory: Connection refused").
template <class T>
struct AgentReply {
  std::string host;
  Result<T> value;
  std::int64_t sent_ns = 0;   // CLOCK_REALTIME (coordinator): the answered attempt started (0: never sent)
  std::int64_t done_ns = 0;   // CLOCK_REALTIME (coordinator): the reply arrived, or the call failed
  // CLOCK_REALTIME (coordinator): just before the request went to the wire and just after the
  // reply's first bytes came off it (HttpResponse; 0 when the agent did not answer). The agent
  // handled the request between the two, whenever the loop got round to the reply: the window
  // a clock sample needs.
  std::int64_t request_out_ns = 0;
  std::int64_t response_in_ns = 0;
  [[nodiscard]] bool ok() const { return value.has_value(); }
};

// A raw call; the typed batches below are built on it.
struct AgentCall {
  std::string host;
  std::string method = "GET";
  std::string target;          // "/v1/inventory", "/v1/events?after=3&wait_ms=1000"
  std::string body;            // JSON text, or empty
  bool idempotent = true;
  std::chrono::milliseconds timeout{0};   // 0: the pool's request_timeout
  std::int64_t start_after_ns = 0;        // monotonic_ns(): send no earlier (0: at once)
};
using JsonReply = AgentReply<nlohmann::json>;

struct PortCall {
  std::string host;
  std::string port;
};
struct ConfigureCall {
  std::string host;
  std::string port;
  wire::ConfigureRequest request;
};
struct CarrierPollCall {
  std::string host;
  wire::CarrierPollRequest request;
};
struct ProbeCall {
  std::string host;
  wire::ProbeRequest request;
};
struct NeighborsCall {
  std::string host;
  wire::NeighborsQuery query;
};

// One page of a host's event journal as the watch delivers it.
struct EventsDelivery {
  std::string host;
  Result<wire::EventsPage> page;   // an error: the long-poll failed (the watch tries again)
  bool restarted = false;          // the agent's instance changed: its earlier events are gone
                                   // and port state must be re-read (the link table was reset)
  std::uint64_t missed = 0;        // events the bounded journal dropped before we read them
};

class AgentPool {
 public:
  AgentPool(std::vector<AgentEndpoint> agents, AgentPoolOptions options = {});
  ~AgentPool();
  AgentPool(const AgentPool&) = delete;
  AgentPool& operator=(const AgentPool&) = delete;

  [[nodiscard]] std::vector<std::string> hosts() const;
  [[nodiscard]] bool has_host(const std::string& host) const;
  [[nodiscard]] const AgentPoolOptions& options() const { return options_; }

  // ---- batches: every entry in parallel, each with its own outcome, in the order given ----
  // deadline_ns (monotonic_ns()) bounds the whole batch; 0: what the options allow.
  std::vector<JsonReply> call_all(const std::vector<AgentCall>& calls, std::int64_t deadline_ns = 0);

  std::vector<AgentReply<wire::Health>> health(const std::vector<std::string>& hosts, std::int64_t deadline_ns = 0);
  // One GET /v1/clock round trip per host: the agent's reading between our request_out_ns and
  // response_in_ns. The offset arithmetic is measure::estimate_offset's.
  std::vector<AgentReply<measure::ClockSample>> clock(const std::vector<std::string>& hosts, std::int64_t deadline_ns = 0);
  std::vector<AgentReply<wire::Inventory>> inventory(const std::vector<std::string>& hosts, std::int64_t deadline_ns = 0);
  std::vector<AgentReply<wire::PortInfo>> port(const std::vector<PortCall>& ports, std::int64_t deadline_ns = 0);
  std::vector<AgentReply<wire::ConfigureResult>> configure(const std::vector<ConfigureCall>& calls, std::int64_t deadline_ns = 0);
  std::vector<AgentReply<wire::ProbeResult>> probe(const std::vector<ProbeCall>& calls, std::int64_t deadline_ns = 0);
  // POST /v1/carrier/poll: each host's carrier poller reads these ports for a window. Arming
  // again extends a window, so it is idempotent.
  std::vector<AgentReply<wire::CarrierPollReply>> arm_carrier_poll(const std::vector<CarrierPollCall>& calls,
                                                                   std::int64_t deadline_ns = 0);
  std::vector<AgentReply<wire::NeighborsReply>> neighbors(const std::vector<NeighborsCall>& calls, std::int64_t deadline_ns = 0);
  // DELETE /v1/neighbors (every port, or the one named).
  std::vector<AgentReply<nlohmann::json>> clear_neighbors(const std::vector<std::string>& hosts,
                                                          const std::optional<std::string>& port = {},
                                                          std::int64_t deadline_ns = 0);

  // ---- asynchronous use: several kinds of request in flight together ----
  using CallId = HttpMulti::RequestId;
  CallId submit(const AgentCall& call, std::function<void(JsonReply)> done);
  void cancel(CallId id);
  void abandon(CallId id);   // HttpMulti::abandon: the reply is dropped, the connection kept
  // Drives everything submitted (and every watch) until `stop` is true, nothing is left, or the
  // deadline (monotonic_ns()) passes.
  void run(std::int64_t deadline_ns, const std::function<bool()>& stop = {});

  // ---- the link-event journal ----
  // Reads every host's journal from the pool's cursor without waiting, page after page, until
  // caught up (journal_reader.hpp's catch_up), applying the events to the host's link table; a
  // restarted agent is followed to its new journal (its table's events forgotten). The first read
  // of a host starts at the oldest event its agent still holds. An entry fails when its host
  // does; its value is the number of events applied.
  std::vector<AgentReply<std::uint64_t>> catch_up_events(const std::vector<std::string>& hosts, std::int64_t deadline_ns);
  // Long-polls the host's journal (wait up to `wait` per request, at most 30 s), applies each
  // page to the link table, then calls on_page; re-arms while on_page returns true. A failed poll
  // is delivered too and tried again after the pool's backoff. Driven by run().
  using WatchId = std::uint64_t;
  WatchId watch_events(const std::string& host, std::chrono::milliseconds wait,
                       std::function<bool(const EventsDelivery&)> on_page);
  void unwatch(WatchId id);   // cancels its request in flight
  void unwatch_all();

  // ---- following the journals for the whole run ----
  // A step that waits on links listens to the hosts' journals; the long-poll behind a listener
  // outlives it. The first listener of a host starts the pool's follow of its journal (one
  // long-poll in flight, each page applied to the link table, whoever drives run()), and the
  // follow runs on after the step ends, until the pool goes: the next step finds the table
  // current and the connection open, with no catch-up read and no new TLS handshake (cancelling a
  // long-poll closes its connection). A follow whose poll fails twice in a row delivers the
  // failure to its listeners and stops; the next listener starts it again.
  using ListenerId = std::uint64_t;
  ListenerId listen_events(const std::string& host, std::function<void(const EventsDelivery&)> on_page);
  void unlisten(ListenerId id);   // may be called from inside a delivery
  // The host's journal is followed from a known place and its last poll did not fail: its link
  // table is as current as the long-poll keeps it, and a catch-up read would add nothing.
  [[nodiscard]] bool following(const std::string& host) const;

  // ---- what the pool has learned ----
  // Feeds a reply obtained through submit() to the pool's tables, as the typed batches do.
  void note_inventory(const std::string& host, const wire::Inventory& inventory);
  [[nodiscard]] const LinkStateTable* link_table(const std::string& host) const;
  // The ports the host's agent manages, from the last inventory read in its current life
  // (nullptr: none read since the pool began or since the agent restarted).
  [[nodiscard]] const std::set<std::string>* managed_ports(const std::string& host) const;
  // Agent clock minus coordinator clock, from the shortest round trip clock() has seen (none yet:
  // nullopt); measure::BestClockSample's estimate.
  [[nodiscard]] std::optional<std::int64_t> clock_offset_ns(const std::string& host) const;
  // The inventory host whose agent reports this host_id (learned from health, inventory and
  // probe replies); empty when no agent has reported it.
  [[nodiscard]] std::string host_for_agent_id(const std::string& host_id) const;
  [[nodiscard]] std::optional<wire::EventsPage> last_events_cursor(const std::string& host) const;

 private:
  struct Agent;
  struct Watch;
  struct Follow;
  Agent* find(const std::string& host);
  const Agent* find(const std::string& host) const;
  HttpRequest make_request(const Agent& agent, const AgentCall& call, std::int64_t deadline_ns) const;
  std::int64_t default_deadline() const;
  template <class T>
  std::vector<AgentReply<T>> typed(const std::vector<AgentCall>& calls, std::int64_t deadline_ns, std::string_view what);
  void poll_once(WatchId id, std::int64_t start_after_ns);
  // Feeds a page the pool's cursor took to the host's link table.
  void note_journal_step(const std::string& host, const JournalStep& step);
  void learn_agent_id(const std::string& host, const std::string& host_id);
  void start_follow(const std::string& host);
  void on_follow_page(const std::string& host, const EventsDelivery& delivery, bool& again);

  AgentPoolOptions options_;
  HttpMulti http_;
  std::map<std::string, std::unique_ptr<Agent>> agents_;
  std::map<WatchId, std::unique_ptr<Watch>> watches_;
  JournalCursor journal_{OnRestart::start_over};   // the link tables' place in every journal
  WatchId next_watch_ = 1;
  std::map<std::string, std::unique_ptr<Follow>> follows_;
  std::map<ListenerId, std::string> listener_host_;
  ListenerId next_listener_ = 1;
  std::map<std::string, std::string> host_of_agent_id_;
};

// The pool for an inventory: one endpoint per host, its token read from the host's token_file
// (mixnet::read_token_file, the agent's own rule). A host whose token file cannot be read is kept,
// broken: its calls fail naming the file, the other hosts work. Errors: only a malformed agent URL
// (field "hosts[i].agent.url").
Result<std::unique_ptr<AgentPool>> make_agent_pool(const Inventory& inventory, AgentPoolOptions options = {});

}  // namespace mixnet::coord
