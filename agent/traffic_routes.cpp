#include "agent/traffic_routes.hpp"

#include <nlohmann/json.hpp>

#include "agent/counters_route.hpp"
#include "agent/inventory.hpp"
#include "agent/traffic/run_secret.hpp"
#include "common/clock.hpp"
#include "common/http/server.hpp"
#include "common/wire/traffic_api.hpp"

namespace mixnet::agent {

namespace asio = boost::asio;
using http::Request;
using http::Response;
using http::RouteMatch;
using http::Status;
using http::Verb;
using traffic::Role;
using traffic::TrafficSpec;

namespace {

std::string address_of(const std::string& cidr) { return cidr.substr(0, cidr.find('/')); }

bool link_local_v6(const std::string& a) { return a.rfind("fe80:", 0) == 0; }

// An address of the port to bind to. A client needs one of the peer's family and scope (a
// link-local source cannot reach a global address); a server takes the first IPv4 address, else a
// global IPv6 one, else a link-local one.
Result<std::string> pick_address(const nic::NetdevInfo& dev, const std::string& peer) {
  const bool want_v6 = !peer.empty() && peer.find(':') != std::string::npos;
  if (!want_v6 && !dev.ipv4.empty()) return address_of(dev.ipv4.front());
  if (want_v6 || peer.empty()) {
    const bool link_local_peer = want_v6 && link_local_v6(peer);
    for (const auto& a : dev.ipv6) {
      if (link_local_v6(a) == link_local_peer) return address_of(a);
    }
    if (peer.empty() && !dev.ipv6.empty()) return address_of(dev.ipv6.front());
  }
  return fail(Errc::conflict,
              "port " + dev.name + " has no " + (peer.empty() ? "IP" : (want_v6 ? "suitable IPv6" : "IPv4")) +
                  " address to bind to; configure one first (POST /v1/ports/" + dev.name + "/config)",
              "port");
}

// Resolves the port (managed, with an address) into the spec.
Result<void> resolve_port(AgentContext& ctx, TrafficSpec& spec) {
  auto dev = find_managed(ctx.links, ctx.filter, spec.port, "port");
  if (!dev) return std::unexpected(dev.error());
  auto address = pick_address(*dev, spec.role == Role::client ? spec.peer : std::string());
  if (!address) return std::unexpected(address.error());
  spec.ifindex = dev->ifindex;
  spec.local_address = std::move(*address);
  spec.read_counters = [port = spec.port, host = ctx.config.host_id] { return collect_counters({port}, host); };
  return {};
}

Response created(const Request& req, const Result<wire::TrafficRunReport>& report) {
  if (!report) return http::error_response(req, report.error());
  return http::json_response(req, Status::created, *report);
}

// A TCP server's answer carries the secret its client must present (run_secret.hpp); this
// answer is the only place it is ever written.
Response server_created(const Request& req, const Result<wire::TrafficRunReport>& report,
                        const std::optional<traffic::RunSecret>& secret) {
  if (!report) return http::error_response(req, report.error());
  const wire::TrafficServerStarted started{.report = *report, .secret = secret ? traffic::to_hex(*secret) : std::string{}};
  return http::json_response(req, Status::created, started);
}

}  // namespace

void register_traffic_routes(http::Server& server, AgentContext& ctx) {
  AgentContext* c = &ctx;

  server.route(Verb::post, "/v1/traffic/servers", [c](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    auto body = wire::parse_traffic_server_body(req.body());
    if (!body) co_return http::error_response(req, body.error());
    if (auto r = c->traffic.check_transport(body->transport); !r) co_return http::error_response(req, r.error());
    TrafficSpec spec{.role = Role::server,
                     .transport = body->transport,
                     .port = body->port,
                     .tcp_port = body->tcp_port,
                     .duration = std::chrono::milliseconds(body->duration_ms),
                     .accept_timeout = std::chrono::milliseconds(body->accept_timeout_ms),
                     .interval = std::chrono::milliseconds(body->interval_ms),
                     .timeline = body->timeline,
                     .rdma = body->rdma,
                     .sink = body->sink};
    if (auto r = resolve_port(*c, spec); !r) co_return http::error_response(req, r.error());
    // TCP's hello carries the secret; RDMA's endpoints come through this API (POST .../peer).
    if (spec.transport == "tcp") {
      auto secret = traffic::fresh_run_secret();
      if (!secret) co_return http::error_response(req, secret.error());
      spec.secret = *secret;
    }
    co_return server_created(req, c->traffic.start(spec), spec.secret);
  });

  server.route(Verb::post, "/v1/traffic/runs", [c](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    auto body = wire::parse_traffic_run_body(req.body());
    if (!body) co_return http::error_response(req, body.error());
    if (auto r = c->traffic.check_transport(body->transport); !r) co_return http::error_response(req, r.error());
    TrafficSpec spec{.role = Role::client,
                     .transport = body->transport,
                     .port = body->port,
                     .peer = body->peer,
                     .tcp_port = body->peer_tcp_port,
                     .streams = body->streams,
                     .bytes = body->bytes,
                     .rate_mbps = body->rate_mbps,
                     .interval = std::chrono::milliseconds(body->interval_ms),
                     .timeline = body->timeline,
                     .rdma = body->rdma,
                     .start_at_ns = body->start_at_ns};
    if (body->duration_ms) spec.duration = std::chrono::milliseconds(*body->duration_ms);
    if (!body->secret.empty()) {
      auto secret = traffic::run_secret_from_hex(body->secret, "secret");
      if (!secret) co_return http::error_response(req, secret.error());
      spec.secret = *secret;
    }
    if (body->start_at_ns && *body->start_at_ns > realtime_ns() + wire::kMaxStartAheadNs) {
      co_return http::error_response(
          req, Error{Errc::invalid_argument,
                     "more than " + std::to_string(wire::kMaxStartAheadNs / 1'000'000'000) +
                         " s ahead of this agent's clock (CLOCK_REALTIME " + std::to_string(realtime_ns()) + ")",
                     "start_at_ns"});
    }
    if (auto r = resolve_port(*c, spec); !r) co_return http::error_response(req, r.error());
    co_return created(req, c->traffic.start(spec));
  });

  server.route(Verb::get, "/v1/traffic/runs", [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
    if (!m.target.query.empty()) {
      co_return http::error_response(
          req, Error{Errc::invalid_argument, "no query parameters accepted", m.target.query.begin()->first});
    }
    co_return http::json_response(req, Status::ok, c->traffic.list());
  });

  server.route(Verb::get, "/v1/traffic/runs/{id}", [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
    auto id = wire::validate_run_id(m.params.at("id"), "id");
    if (!id) co_return http::error_response(req, id.error());
    auto q = wire::parse_traffic_run_query(m.target.query);
    if (!q) co_return http::error_response(req, q.error());
    if (q->wait_ms > 0) {   // a long-poll: answered the moment the run ends (or is gone), else at the bound
      (void)co_await c->traffic_finished.wait_for(
          [&] {
            const auto state = c->traffic.state_of(*id);
            return !state || traffic::is_finished(*state);
          },
          std::chrono::milliseconds(q->wait_ms));
    }
    auto report = c->traffic.get(*id, q->bins);
    if (!report) co_return http::error_response(req, report.error());
    co_return http::json_response(req, Status::ok, *report);
  });

  // The other side's endpoint for a run that waits for one (an RDMA server; docs/agent-api.md).
  server.route(Verb::post, "/v1/traffic/runs/{id}/peer",
               [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
                 auto id = wire::validate_run_id(m.params.at("id"), "id");
                 if (!id) co_return http::error_response(req, id.error());
                 auto body = wire::parse_traffic_peer_body(req.body());
                 if (!body) co_return http::error_response(req, body.error());
                 auto report = c->traffic.attach_peer(*id, body->endpoint);
                 if (!report) co_return http::error_response(req, report.error());
                 co_return http::json_response(req, Status::ok, *report);
               });

  server.route(Verb::delete_, "/v1/traffic/runs/{id}",
               [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
                 auto id = wire::validate_run_id(m.params.at("id"), "id");
                 if (!id) co_return http::error_response(req, id.error());
                 auto report = c->traffic.cancel(*id);
                 if (!report) co_return http::error_response(req, report.error());
                 co_return http::json_response(req, Status::ok, *report);
               });
}

}  // namespace mixnet::agent
