#include "agent/agent_app.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <optional>
#include <spdlog/spdlog.h>

#include "agent/agent_context.hpp"
#include "agent/api_routes.hpp"
#include "agent/token_reload.hpp"
#include "agent/traffic/rdma/rdma_engine.hpp"
#include "agent/traffic/tcp_engine.hpp"
#include "common/clock.hpp"
#include "common/http/server.hpp"
#include "common/http/tls_server_context.hpp"
#include "common/thread_priority.hpp"
#include "common/version.hpp"

namespace mixnet::agent {

namespace asio = boost::asio;

int run_agent(const AgentConfig& config) {
  for (const auto& w : config.warnings) spdlog::warn("{}", w);
  auto endpoint = http::parse_listen_address(config.listen);
  if (!endpoint) {
    spdlog::critical("--listen: {}", endpoint.error().message);
    return 2;
  }
  // HTTPS files are read before anything starts: a wrong or open key stops the start at once.
  std::shared_ptr<asio::ssl::context> tls_context;
  if (!config.tls_cert_file.empty()) {
    auto tls = http::make_tls_server_context(
        {.cert_file = config.tls_cert_file, .key_file = config.tls_key_file, .client_ca_file = config.tls_client_ca_file});
    if (!tls) {
      spdlog::critical("--{}: {}", tls.error().field, tls.error().message);
      return 2;
    }
    tls_context = std::move(*tls);
  }

  // This thread runs the io_context: it reads the probe sockets and stamps them, journals link
  // events and answers the API. Raised before any other thread starts, so they inherit the
  // policy: the netlink reader and the carrier poller raise themselves as well, traffic threads
  // leave it (agent/traffic/traffic_thread.hpp).
  raise_stamping_thread("probe receiver, journal, API", config.stamp_priority);

  // Declared first so it is destroyed last: pending handlers may refer to everything below.
  asio::io_context io{1};
  const std::int64_t start = realtime_ns();
  auto links = nic::NetlinkLinks::open();
  if (!links) {
    spdlog::critical("netlink: {}", links.error().describe());
    return 1;
  }
  const PortFilter filter(config.port_patterns);
  EventJournal journal(config.journal_capacity, fmt::format("{}-{}", config.host_id, start));
  LinkWatcher watcher(io, *links, filter, journal);
  ProbeService probes(io, *links, filter, config.host_id);
  watcher.on_event = [&probes](const wire::LinkEvent& ev) { probes.on_link_event(ev); };
  // A neighbour the probe service learnt on its own (a hello or an answer heard) is journaled: a
  // reader of the event stream learns who is cabled to whom without asking (docs/agent-api.md).
  probes.on_neighbor = [&journal](const NeighborHeard& n) {
    wire::LinkEvent ev{.time_ns = n.time_ns, .kind = "neighbor", .port = n.port, .ifindex = n.ifindex, .source = "probe",
                       .admin_up = true, .carrier = true, .oper_state = "up"};
    ev.neighbor_host = n.host_id;
    ev.neighbor_port = n.peer_port;
    ev.neighbor_mac = n.mac;
    journal.append(ev);
  };

  if (auto r = watcher.start(config.stamp_priority); !r) {
    spdlog::critical("link watcher: {}", r.error().describe());
    return 1;
  }
  if (config.carrier_poll_us > 0) {
    // The same priority as this thread, not above: one above, it preempted the coordinator (at
    // the same priority in the lab) every period and moved the libcurl timers of its clock
    // samples by tens of microseconds, enough to make them disagree. At equal priority, reading
    // counters that take no lock, it holds the 1 ms bound on a busy host (docs/measurement.md).
    watcher.start_carrier_poll(std::chrono::microseconds(config.carrier_poll_us), config.stamp_priority);
  }
  if (auto r = probes.start(); !r) {
    spdlog::critical("probe service: {}", r.error().describe());
    return 1;
  }

  // Traffic runs work on their own threads; declared before the server so they outlive its handlers.
  traffic::TrafficManager traffic_runs;
  // A run finishes on its own thread; its readers wait on the io_context: hand the news over there.
  AsyncWakeups traffic_finished;
  traffic_runs.on_run_finished([&io, &traffic_finished] { asio::post(io, [&traffic_finished] { traffic_finished.wake_all(); }); });
  traffic_runs.add_engine(std::make_unique<traffic::TcpEngine>());
  // RDMA verbs: a port without an RDMA device is refused per run, with the reason.
  traffic_runs.add_engine(std::make_unique<traffic::rdma::RdmaEngine>());

  http::ServerOptions options;
  options.server_name = "mixnet-agent";
  options.bearer_token = config.token;
  options.tls = tls_context;
  http::Server server(io, options);
  AgentContext ctx{.config = config, .links = *links, .filter = filter, .journal = journal, .watcher = watcher,
                   .probes = probes, .traffic = traffic_runs, .traffic_finished = traffic_finished, .start_time_ns = start};
  register_routes(server, ctx);
  if (auto r = server.listen(*endpoint); !r) {
    spdlog::critical("{}", r.error().describe());
    return 1;
  }

  if (auto inv = links->list()) {
    std::string managed;
    for (const auto& d : *inv) {
      if (filter.manages(d.name)) managed += (managed.empty() ? "" : ", ") + d.name;
    }
    spdlog::info("managing: {}", managed.empty() ? "(no matching interface yet)" : managed);
  }
  const auto ep = server.local_endpoint();
  spdlog::info("mixnet-agent {} host {} listening on {}://{}:{}{}{}", mixnet::version(), config.host_id,
               options.tls ? "https" : "http", ep.address().to_string(), ep.port(),
               config.tls_client_ca_file.empty() ? "" : " (client certificates required)",
               config.token ? "" : " WITHOUT authentication");

  // SIGHUP re-reads the token file (rotation without a restart); with --insecure-no-auth there
  // is no token, and SIGHUP is ignored with a note.
  std::optional<TokenReloader> token_reloader;
  asio::signal_set ignored_hup(io);
  if (config.token) {
    token_reloader.emplace(io, server, config.token_file);
  } else {
    ignored_hup.add(SIGHUP);
    ignored_hup.async_wait([](const boost::system::error_code& ec, int) {
      if (!ec) spdlog::warn("SIGHUP: no token file to re-read (--insecure-no-auth)");
    });
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping", sig);
    server.stop();
    token_reloader.reset();
    ignored_hup.cancel();
    watcher.stop();
    probes.stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace mixnet::agent
