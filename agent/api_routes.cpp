#include "agent/api_routes.hpp"

#include <spdlog/spdlog.h>

#include "agent/carrier_route.hpp"
#include "agent/counters_route.hpp"
#include "agent/inventory.hpp"
#include "agent/metrics.hpp"
#include "agent/port_config.hpp"
#include "agent/traffic_routes.hpp"
#include "common/clock.hpp"
#include "common/random_id.hpp"
#include "common/http/server.hpp"
#include "common/version.hpp"
#include "common/wire/events_page_text.hpp"

namespace mixnet::agent {

namespace asio = boost::asio;
using http::Request;
using http::Response;
using http::RouteMatch;
using http::Status;
using http::Verb;
using nlohmann::json;

namespace {

MetricsSnapshot snapshot(AgentContext& ctx, const http::ServerStats& stats) {
  MetricsSnapshot m{.host_id = ctx.config.host_id, .start_time_ns = ctx.start_time_ns};
  const auto probe_counters = ctx.probes.counters();
  if (auto devs = ctx.links.list()) {
    for (const auto& d : *devs) {
      if (!ctx.filter.manages(d.name)) continue;
      PortMetrics p{.name = d.name, .admin_up = d.admin_up, .carrier = d.carrier, .oper_up = d.oper_state == "up",
                    .mtu = d.mtu};
      if (auto it = probe_counters.find(d.name); it != probe_counters.end()) {
        p.probes_sent = it->second.sent;
        p.probes_received = it->second.received;
        p.neighbors = it->second.neighbors;
      }
      m.ports.push_back(std::move(p));
    }
  }
  m.events_by_kind = ctx.journal.counts_by_kind();
  m.journal_size = ctx.journal.size();
  m.journal_capacity = ctx.journal.capacity();
  m.journal_last_seq = ctx.journal.last_seq();
  m.journal_dropped = ctx.journal.dropped();
  m.journal_waiting_readers = ctx.journal.waiting();
  m.link_monitor_overruns = ctx.watcher.overruns();
  m.carrier_poll_reads = ctx.watcher.carrier_poll_reads();
  m.probe_send_errors = ctx.probes.send_errors();
  m.traffic_connections_rejected = ctx.traffic.rejected_connections();
  m.http_requests = stats.requests;
  m.http_connections_accepted = stats.connections_accepted;
  m.http_connections_rejected = stats.connections_rejected;
  m.http_connections_evicted = stats.connections_evicted;
  m.http_connections_active = stats.active_connections;
  m.tls_handshakes_failed = stats.tls_handshakes_failed;
  return m;
}

}  // namespace

void register_routes(http::Server& server, AgentContext& ctx) {
  AgentContext* c = &ctx;

  // The clock first: stamped before anything else happens so the round trip is all network.
  server.route(Verb::get, "/v1/clock", [](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    const std::int64_t now = realtime_ns();
    co_return http::json_response(req, Status::ok, wire::ClockReply{.realtime_ns = now});
  });

  server.route(
      Verb::get, "/v1/health",
      [c](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
        // "degraded": serving, but link events have stopped (the log says why); a supervisor
        // should restart the agent.
        const bool ok = !c->watcher.failed();
        co_return http::json_response(req, ok ? Status::ok : Status::service_unavailable,
                                      wire::Health{.status = ok ? "ok" : "degraded", .host_id = c->config.host_id,
                                                   .version = std::string(mixnet::version())});
      },
      /*is_public=*/true);

  server.route(Verb::get, "/v1/inventory", [c](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    auto inv = build_inventory(c->links, c->filter, c->config.host_id);
    if (!inv) co_return http::error_response(req, inv.error());
    co_return http::json_response(req, Status::ok, *inv);
  });

  server.route(Verb::get, "/v1/ports/{name}", [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
    auto name = wire::validate_port_name(m.params.at("name"), "name");
    if (!name) co_return http::error_response(req, name.error());
    auto dev = find_managed(c->links, c->filter, *name, "name");
    if (!dev) co_return http::error_response(req, dev.error());
    co_return http::json_response(req, Status::ok, to_port_info(*dev, scan_rdma()));
  });

  server.route(Verb::post, "/v1/ports/{name}/config",
               [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
                 auto name = wire::validate_port_name(m.params.at("name"), "name");
                 if (!name) co_return http::error_response(req, name.error());
                 // The port first: an unmanaged port is "not found" whatever the body says.
                 if (auto dev = find_managed(c->links, c->filter, *name, "name"); !dev) {
                   co_return http::error_response(req, dev.error());
                 }
                 auto body = wire::parse_configure_body(req.body());
                 if (!body) co_return http::error_response(req, body.error());
                 auto result = apply_configuration(c->links, c->filter, *name, *body);
                 if (!result) {
                   spdlog::warn("configure {}: {}", *name, result.error().describe());
                   co_return http::error_response(req, result.error());
                 }
                 spdlog::info("configured {}: {} change(s)", *name, result->applied.size());
                 co_return http::json_response(req, Status::ok, *result);
               });

  server.route(Verb::get, "/v1/events", [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
    auto q = wire::parse_events_query(m.target.query);
    if (!q) co_return http::error_response(req, q.error());
    auto page = co_await c->journal.wait_read(q->after, static_cast<std::size_t>(q->limit),
                                              std::chrono::milliseconds(q->wait_ms));
    if (!page) co_return http::error_response(req, page.error());
    // Written straight to text, not through a json tree: a woken long-poll answers on this path.
    std::string text;
    wire::append_events_page_json(text, *page);
    co_return http::json_text_response(req, Status::ok, std::move(text));
  });

  server.route(Verb::post, "/v1/probes", [c](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    auto probe = wire::parse_probe_body(req.body());
    if (!probe) co_return http::error_response(req, probe.error());
    for (std::size_t i = 0; i < probe->ports.size(); ++i) {
      const auto& name = probe->ports[i];
      if (!c->filter.manages(name) || !c->probes.has_port(name)) {
        co_return http::error_response(
            req, Status::bad_request,
            Error{Errc::invalid_argument, "no managed port named '" + name + "' with a probe socket",
                  "ports[" + std::to_string(i) + "]"});
      }
    }
    if (probe->ports.empty() && c->probes.ports().empty()) {
      co_return http::error_response(
          req, Status::conflict, Error{Errc::conflict, "no managed port has a probe socket open", "ports"});
    }
    const std::uint64_t nonce = probe->nonce ? *probe->nonce : random_id();
    co_return http::json_response(req, Status::ok, c->probes.send(probe->ports, probe->count, nonce));
  });

  server.route(Verb::get, "/v1/neighbors", [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
    auto q = wire::parse_neighbors_query(m.target.query);
    if (!q) co_return http::error_response(req, q.error());
    if (q->port && !c->filter.manages(*q->port)) {
      co_return http::error_response(
          req, Status::not_found, Error{Errc::not_found, "no managed port named '" + *q->port + "'", "port"});
    }
    co_return http::json_response(req, Status::ok, c->probes.neighbors(*q));
  });

  server.route(Verb::delete_, "/v1/neighbors", [c](const Request& req, const RouteMatch& m) -> asio::awaitable<Response> {
    auto q = wire::parse_neighbors_query(m.target.query);
    if (!q) co_return http::error_response(req, q.error());
    if (q->nonce) {
      co_return http::error_response(req, Status::bad_request,
                                     Error{Errc::invalid_argument, "not accepted when clearing", "nonce"});
    }
    if (q->port && !c->filter.manages(*q->port)) {
      co_return http::error_response(
          req, Status::not_found, Error{Errc::not_found, "no managed port named '" + *q->port + "'", "port"});
    }
    c->probes.clear_neighbors(q->port);
    co_return http::json_response(req, Status::ok, json{{"cleared", q->port ? *q->port : std::string("all")}});
  });

  register_traffic_routes(server, ctx);
  register_counters_route(server, ctx);
  register_carrier_route(server, ctx);

  server.route(Verb::get, "/metrics", [c, &server](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    Response res{Status::ok, req.version() == 0 ? 11 : req.version()};
    res.set(boost::beast::http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.set(boost::beast::http::field::cache_control, "no-store");
    res.body() = render_metrics(snapshot(*c, server.stats()));
    res.keep_alive(req.keep_alive());
    co_return res;
  });
}

}  // namespace mixnet::agent
