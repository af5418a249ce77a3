#pragma once
// An agent API double on 127.0.0.1 for the agent client's unit tests: the real HTTP server
// (common/http/server.hpp) with scripted routes, so the client's parallelism, retries, deadlines,
// long-poll cursor and error handling are tested without namespaces. It speaks the wire types of
// common/wire/agent_api.hpp. Faults: a delay per route, N answers of 503 per route, a restart
// (new instance, sequence numbers from 1), a journal that has dropped its oldest events, a clock
// that runs ahead behind a slow, lopsided path.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/http/tls_server_context.hpp"
#include "common/wire/agent_api.hpp"

namespace mixnet::testing {

// A port as an agent's inventory reports it: admin up, MTU 1500, carrier (and oper state) given.
inline wire::PortInfo fake_port_info(const std::string& name, bool carrier) {
  wire::PortInfo p;
  p.name = name;
  p.admin_up = true;
  p.carrier = carrier;
  p.oper_state = carrier ? "up" : "down";
  p.mtu = 1500;
  return p;
}

class FakeAgent {
 public:
  // With `tls` (make_tls_server_context) it serves HTTPS, and url() says https://.
  FakeAgent(std::string host_id, std::string token, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~FakeAgent();
  FakeAgent(const FakeAgent&) = delete;
  FakeAgent& operator=(const FakeAgent&) = delete;

  [[nodiscard]] std::string url() const;   // "http://127.0.0.1:PORT" (https:// with TLS)
  [[nodiscard]] unsigned short port() const { return port_; }

  // State the routes serve.
  void set_ports(std::vector<wire::PortInfo> ports);
  // Journals an event (seq and time assigned) and wakes long-polls; returns its seq.
  std::uint64_t push_event(const std::string& kind, const std::string& port, bool carrier, bool admin_up = true);
  // A new agent life: new instance name, empty journal, sequence numbers from 1.
  void restart();
  // Forgets every event up to `seq` (as a bounded journal would).
  void drop_events_through(std::uint64_t seq);
  // Identity probes, for tests that stand in for the wire: `deliver` is called (on the fake's
  // thread, outside its lock) with each port and nonce a POST /v1/probes sends from; `hear`
  // records a probe a port received, which GET /v1/neighbors then reports (one entry per sender,
  // most recent first). Without `hear`, nobody hears anything.
  void on_probe(std::function<void(const std::string& port, std::uint64_t nonce)> deliver);
  void hear(const std::string& port, wire::Neighbor from);

  // Traffic runs, scripted: POST /v1/traffic/servers and /v1/traffic/runs start a run (ids tr-1,
  // tr-2, ...); GET /v1/traffic/runs/{id} reports it done at once (a sender with every byte it was
  // asked for confirmed, a receiver with `received_bytes`), or answers 404 as an agent that has
  // forgotten the run (it keeps only its last 64 finished ones); DELETE cancels. Nothing is sent.
  struct TrafficScript {
    bool forget_senders = false;         // GET of a sender's run: 404
    bool forget_receivers = false;       // GET of a receiver's run: 404
    std::uint64_t received_bytes = 0;    // what a receiver's run reports received
  };
  void script_traffic(TrafficScript script);

  // Faults, per route pattern ("/v1/health", "/v1/events", ...).
  void delay(const std::string& route, std::chrono::milliseconds d);
  void fail_next(const std::string& route, int times, unsigned status = 503);
  // Holds each request of the route until `arrivals` (shared by several fakes, counted up by each
  // request) reaches n, or 5 s pass: only a client that sends to all of them at once gets answers
  // in time.
  void hold_until(const std::string& route, std::shared_ptr<std::atomic<int>> arrivals, int n);

  // GET /v1/clock as an agent whose clock runs `offset` ahead of this machine's, behind a path
  // whose two halves differ and vary: each request waits `before` (request in -> clock read), then
  // `after` (clock read -> answer out), the pairs taken in turn, one per request. The truth a
  // clock sample must bracket is then known: the reading was realtime_ns() + offset.
  struct ClockPath {
    std::chrono::microseconds before{0};
    std::chrono::microseconds after{0};
  };
  void skew_clock(std::chrono::nanoseconds offset, std::vector<ClockPath> paths = {});

  [[nodiscard]] int requests(const std::string& route) const;
  // TCP connections the server has accepted (read on its own thread).
  [[nodiscard]] std::uint64_t connections() const;
  [[nodiscard]] std::string last_authorization() const;
  [[nodiscard]] std::string instance() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
  bool tls_ = false;
};

}  // namespace mixnet::testing
