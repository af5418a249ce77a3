#include "agent/carrier_route.hpp"

#include <chrono>

#include "common/http/server.hpp"
#include "common/wire/agent_api.hpp"

namespace mixnet::agent {

namespace asio = boost::asio;
using http::Request;
using http::Response;
using http::RouteMatch;
using http::Status;
using http::Verb;

void register_carrier_route(http::Server& server, AgentContext& ctx) {
  AgentContext* c = &ctx;
  server.route(Verb::post, "/v1/carrier/poll", [c](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    auto body = wire::parse_carrier_poll_body(req.body());
    if (!body) co_return http::error_response(req, body.error());
    for (std::size_t i = 0; i < body->ports.size(); ++i) {
      if (!c->filter.manages(body->ports[i])) {
        co_return http::error_response(req, Status::not_found,
                                       Error{Errc::not_found, "no managed port named '" + body->ports[i] + "'",
                                             "ports[" + std::to_string(i) + "]"});
      }
    }
    auto armed = c->watcher.arm_carrier_poll(body->ports, std::chrono::milliseconds(body->duration_ms));
    if (!armed) co_return http::error_response(req, armed.error());
    co_return http::json_response(req, Status::ok, *armed);
  });
}

}  // namespace mixnet::agent
