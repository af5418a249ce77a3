#include "agent/probe_service.hpp"

#include <utility>  // Boost 1.74 + GCC 12: before Asio's awaitable headers.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/random_id.hpp"
#include "hwdrivers/nic/probe_frame.hpp"
#include "hwdrivers/nic/probe_socket.hpp"

namespace mixnet::agent {

namespace asio = boost::asio;

namespace {

constexpr nic::MacAddress kBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
// A hello goes out as the carrier comes up, and again a little later: the far end's agent may read
// its own carrier change a moment after the first frame arrived (or the first was lost as the
// optics trained). Answers make up for a far end that came up earlier.
constexpr std::chrono::milliseconds kHelloAgain[] = {std::chrono::milliseconds(2), std::chrono::milliseconds(20)};

}  // namespace

// One port's socket and what it has heard. The table and counters outlive the socket, so a port
// that flaps keeps its history.
struct ProbePort {
  std::string name;
  int ifindex = 0;
  std::optional<nic::ProbeSocket> socket;
  std::unique_ptr<asio::posix::stream_descriptor> wait;  // waits on socket's fd; never closes it
  std::shared_ptr<bool> alive;                           // the receive loop stops when this goes false
  NeighborTable table;
  std::uint64_t sent = 0;
  // The identity last reported through on_neighbor since the carrier last went down.
  std::optional<std::pair<std::string, std::string>> reported;
  std::uint64_t answered_nonce = 0;   // the last hello answered (a burst is answered once)
  bool answered_any = false;
};

struct ProbeService::Impl {
  Impl(asio::io_context& io_in, nic::NetlinkLinks& links_in, const PortFilter& filter_in, std::string host)
      : io(io_in), links(links_in), filter(filter_in), host_id(std::move(host)) {}

  asio::io_context& io;
  nic::NetlinkLinks& links;
  const PortFilter& filter;
  std::string host_id;
  std::map<std::string, ProbePort> ports;
  std::uint64_t send_errors = 0;
  std::function<void(const NeighborHeard&)>* on_neighbor = nullptr;

  // One frame out of p with this host's identity; counted, errors logged and counted.
  bool send_frame(ProbePort& p, nic::ProbeFrame frame) {
    if (!p.socket) return false;
    frame.host_id = host_id;
    frame.port = p.name;   // the source MAC: the socket fills in the port's own
    frame.send_time_ns = realtime_ns();
    if (auto r = p.socket->send(frame); !r) {
      ++send_errors;
      spdlog::debug("probe: send on {}: {}", p.name, r.error().describe());
      return false;
    }
    ++p.sent;
    return true;
  }

  // The hellos of one carrier-up: now, then after each of kHelloAgain.
  asio::awaitable<void> hello_burst(ProbePort* p, std::shared_ptr<bool> alive, std::uint64_t nonce) {
    const nic::ProbeFrame hello{.destination = nic::kNearestBridgeGroup, .nonce = nonce, .hello = true};
    send_frame(*p, hello);
    asio::steady_timer timer(io);
    std::chrono::milliseconds waited{0};
    for (const auto again : kHelloAgain) {
      timer.expires_after(again - waited);
      waited = again;
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!*alive) co_return;
      send_frame(*p, hello);
    }
  }

  void announce(ProbePort& p) {
    if (!p.socket) return;
    asio::co_spawn(io, hello_burst(&p, p.alive, random_id()), asio::detached);
  }

  // A frame to the nearest-bridge group came from the far end of p's cable or circuit: answer a
  // hello (once per burst) and report an identity not reported since the carrier went down.
  void heard_nearest(ProbePort& p, const nic::ReceivedProbe& rp) {
    if (rp.frame.hello && (!p.answered_any || p.answered_nonce != rp.frame.nonce)) {
      p.answered_any = true;
      p.answered_nonce = rp.frame.nonce;
      send_frame(p, nic::ProbeFrame{.destination = nic::kNearestBridgeGroup, .nonce = rp.frame.nonce});
    }
    std::pair<std::string, std::string> who{rp.frame.host_id, rp.frame.port};
    if (p.reported == who) return;
    p.reported = who;
    if (on_neighbor != nullptr && *on_neighbor) {
      (*on_neighbor)(NeighborHeard{.port = p.name, .ifindex = p.ifindex, .host_id = rp.frame.host_id, .peer_port = rp.frame.port,
                                   .mac = nic::format_mac(rp.frame.source), .time_ns = rp.receive_time_ns});
    }
  }

  void close(ProbePort& p) {
    if (p.alive) *p.alive = false;
    if (p.wait && p.wait->is_open()) {
      boost::system::error_code ec;
      p.wait->cancel(ec);
      p.wait->release();
    }
    p.wait.reset();
    p.socket.reset();
  }

  void open(const std::string& name, int ifindex) {
    auto& p = ports[name];
    p.name = name;
    if (p.socket && p.ifindex == ifindex) return;
    close(p);
    auto sock = nic::ProbeSocket::open(ifindex, name);
    if (!sock) {
      spdlog::warn("probe: cannot open a socket on {}: {}", name, sock.error().describe());
      return;
    }
    p.ifindex = ifindex;
    p.socket.emplace(std::move(*sock));
    p.wait = std::make_unique<asio::posix::stream_descriptor>(io, p.socket->fd());
    p.alive = std::make_shared<bool>(true);
    asio::co_spawn(io, receive_loop(&p, p.alive), [name](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("probe: receive loop on {} stopped: {}", name, ex.what());
      }
    });
    spdlog::info("probe: listening on {} (ifindex {})", name, ifindex);
  }

  // p stays valid while *alive: ports is a map (stable nodes) and entries are never erased.
  asio::awaitable<void> receive_loop(ProbePort* p, std::shared_ptr<bool> alive) {
    for (;;) {
      boost::system::error_code ec;
      co_await p->wait->async_wait(asio::posix::stream_descriptor::wait_read,
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (!*alive || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        spdlog::error("probe: waiting on {} failed: {}", p->name, ec.message());
        co_return;
      }
      // Bounded per wake-up so one busy port cannot starve the API.
      for (int i = 0; i < 256; ++i) {
        auto got = p->socket->receive();
        if (!got) {
          spdlog::warn("probe: receive on {}: {}", p->name, got.error().describe());
          break;
        }
        if (!*got) break;
        const nic::ReceivedProbe& rp = **got;
        // Our own frames leaving this port never get here (the socket drops PACKET_OUTGOING), so
        // a frame that names this host and port came back in: the port is looped to itself (a
        // circuit in(tx) -> out(rx) of this very port), and it is its own neighbour.
        p->table.record(rp.frame.host_id, rp.frame.port, nic::format_mac(rp.frame.source), rp.frame.nonce,
                        rp.frame.send_time_ns, rp.receive_time_ns);
        // Hellos and answers only: a broadcast probe may have crossed an electrical switch.
        if (rp.frame.destination == nic::kNearestBridgeGroup) heard_nearest(*p, rp);
      }
    }
  }
};

ProbeService::ProbeService(asio::io_context& io, nic::NetlinkLinks& links, const PortFilter& filter,
                           std::string host_id)
    : impl_(std::make_unique<Impl>(io, links, filter, std::move(host_id))) {
  impl_->on_neighbor = &on_neighbor;
}

ProbeService::~ProbeService() { stop(); }

Result<void> ProbeService::start() {
  auto devs = impl_->links.list();
  if (!devs) return std::unexpected(devs.error().context("list interfaces"));
  for (const auto& d : *devs) {
    if (impl_->filter.manages(d.name)) impl_->open(d.name, d.ifindex);
  }
  return {};
}

void ProbeService::stop() {
  if (!impl_) return;
  for (auto& [name, p] : impl_->ports) impl_->close(p);
}

void ProbeService::on_link_event(const wire::LinkEvent& ev) {
  if (!impl_->filter.manages(ev.port)) return;
  if (ev.kind == "removed") {
    if (auto it = impl_->ports.find(ev.port); it != impl_->ports.end()) impl_->close(it->second);
  } else if (ev.kind == "added" || ev.kind == "admin_up" || ev.kind == "link_up") {
    impl_->open(ev.port, ev.ifindex);  // no-op when already open on this ifindex
  }
  if (ev.kind == "link_down") {
    if (auto it = impl_->ports.find(ev.port); it != impl_->ports.end()) it->second.reported.reset();   // a new far end may come
  }
  if (ev.kind == "link_up") {
    if (auto it = impl_->ports.find(ev.port); it != impl_->ports.end()) impl_->announce(it->second);
  }
}

bool ProbeService::has_port(const std::string& name) const {
  const auto it = impl_->ports.find(name);
  return it != impl_->ports.end() && it->second.socket.has_value();
}

std::vector<std::string> ProbeService::ports() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : impl_->ports) {
    if (p.socket) out.push_back(name);
  }
  return out;
}

wire::ProbeResult ProbeService::send(const std::vector<std::string>& ports, std::uint32_t count, std::uint64_t nonce) {
  wire::ProbeResult result{.host_id = impl_->host_id, .nonce = nonce};
  const std::vector<std::string> chosen = ports.empty() ? this->ports() : ports;
  for (const auto& name : chosen) {
    wire::ProbeSent sent{.port = name};
    auto it = impl_->ports.find(name);
    if (it == impl_->ports.end() || !it->second.socket) {
      sent.error = "no probe socket on this port";
      result.ports.push_back(std::move(sent));
      continue;
    }
    ProbePort& p = it->second;
    nic::ProbeFrame frame{.destination = kBroadcast, .host_id = impl_->host_id, .port = name, .nonce = nonce};
    if (auto dev = impl_->links.get(name)) {
      if (auto mac = nic::parse_mac(dev->mac)) frame.source = *mac;
    }
    for (std::uint32_t i = 0; i < count; ++i) {
      frame.send_time_ns = realtime_ns();
      if (auto r = p.socket->send(frame); !r) {
        ++impl_->send_errors;
        sent.error = r.error().describe();
        break;
      }
      if (sent.sent == 0) sent.first_send_time_ns = frame.send_time_ns;
      sent.last_send_time_ns = frame.send_time_ns;
      ++sent.sent;
      ++p.sent;
    }
    result.ports.push_back(std::move(sent));
  }
  return result;
}

wire::NeighborsReply ProbeService::neighbors(const wire::NeighborsQuery& query) const {
  wire::NeighborsReply reply{.host_id = impl_->host_id, .time_ns = realtime_ns()};
  for (const auto& [name, p] : impl_->ports) {
    if (query.port && *query.port != name) continue;
    if (!impl_->filter.manages(name)) continue;
    reply.ports.push_back(
        wire::PortNeighbors{.port = name, .probes_received = p.table.received(), .neighbors = p.table.list(query.nonce)});
  }
  return reply;
}

void ProbeService::clear_neighbors(const std::optional<std::string>& port) {
  for (auto& [name, p] : impl_->ports) {
    if (!port || *port == name) p.table.clear();
  }
}

std::map<std::string, ProbePortCounters> ProbeService::counters() const {
  std::map<std::string, ProbePortCounters> out;
  for (const auto& [name, p] : impl_->ports) {
    out[name] = ProbePortCounters{.sent = p.sent, .received = p.table.received(), .neighbors = p.table.size()};
  }
  return out;
}

std::uint64_t ProbeService::send_errors() const { return impl_->send_errors; }

}  // namespace mixnet::agent
