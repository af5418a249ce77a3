#include "agent/counters_route.hpp"

#include <algorithm>

#include "common/clock.hpp"
#include "common/http/server.hpp"
#include "hwdrivers/nic/port_counters.hpp"

namespace mixnet::agent {

namespace asio = boost::asio;
using http::Request;
using http::Response;
using http::RouteMatch;
using http::Status;
using http::Verb;

Result<wire::CountersReply> collect_counters(std::vector<std::string> netdevs, const std::string& host_id,
                                             const CounterSources& sources) {
  wire::CountersReply reply;
  reply.host_id = host_id;
  auto boot = nic::read_boot_id(sources.boot_id_path);
  if (!boot) {
    // The host serves, but cannot give a comparable reading: 503, not the file's own errno code.
    return fail(Errc::unavailable, boot.error().message, "boot_id");
  }
  reply.boot_id = std::move(*boot);
  // sysfs alone (no ibverbs): the counters need only the netdev -> RDMA port mapping.
  auto rdma = nic::scan_rdma_sysfs(sources.sysfs_root / "class" / "infiniband");
  const nic::RdmaScan scan = rdma ? std::move(*rdma) : nic::RdmaScan{};
  const std::string rdma_problem = rdma ? std::string() : rdma.error().describe();
  std::sort(netdevs.begin(), netdevs.end());
  reply.time_ns = realtime_ns();
  for (const auto& name : netdevs) {
    auto port = nic::read_port_counters(name, scan, sources.sysfs_root);
    if (!port) {
      wire::PortCounters gone{name, std::nullopt, {}, std::nullopt};
      for (const auto& counter : nic::netdev_counter_names()) {
        gone.netdev.emplace(counter, wire::CounterReading::absent(wire::Absence::missing, port.error().message));
      }
      reply.ports.push_back(std::move(gone));
      continue;
    }
    if (!rdma_problem.empty() && !port->ib) {
      // The RDMA table could not be read: say so on the port rather than pretend it has no device.
      port->ib = wire::IbPortCounters{"unknown", 1, {}};
      for (const auto& counter : nic::ib_counter_names()) {
        port->ib->counters.emplace(counter,
                                   wire::CounterReading::absent(wire::Absence::unreadable, "RDMA scan failed: " + rdma_problem));
      }
    }
    reply.ports.push_back(std::move(*port));
  }
  return reply;
}

void register_counters_route(http::Server& server, AgentContext& ctx) {
  AgentContext* c = &ctx;
  server.route(Verb::get, "/v1/counters", [c](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    auto devs = c->links.list();
    if (!devs) co_return http::error_response(req, devs.error().context("list interfaces"));
    std::vector<std::string> managed;
    for (const auto& d : *devs) {
      if (c->filter.manages(d.name)) managed.push_back(d.name);
    }
    auto reply = collect_counters(std::move(managed), c->config.host_id);
    if (!reply) co_return http::error_response(req, reply.error());
    co_return http::json_response(req, Status::ok, *reply);
  });
}

}  // namespace mixnet::agent
