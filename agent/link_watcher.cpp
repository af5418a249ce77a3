#include "agent/link_watcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <map>
#include <set>
#include <spdlog/spdlog.h>

#include "agent/carrier_poller.hpp"
#include "agent/netlink_reader.hpp"
#include "common/clock.hpp"
#include "hwdrivers/nic/link_monitor.hpp"
#include "hwdrivers/nic/rdma_events.hpp"
#include "hwdrivers/nic/rdma_inventory.hpp"

namespace mixnet::agent {

namespace asio = boost::asio;

namespace {

// The monitors own their fds; the descriptors only wait on them and must not close them.
void release(std::unique_ptr<asio::posix::stream_descriptor>& d) {
  if (d && d->is_open()) {
    boost::system::error_code ec;
    d->cancel(ec);
    d->release();
  }
}

void log_exception(std::exception_ptr e, const char* what) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("{}: stopped by exception: {}", what, ex.what());
  }
}

}  // namespace

struct LinkWatcher::Impl {
  Impl(asio::io_context& io_in, nic::NetlinkLinks& links_in, const PortFilter& filter_in, EventJournal& journal_in)
      : io(io_in), links(links_in), filter(filter_in), journal(journal_in) {}

  asio::io_context& io;
  nic::NetlinkLinks& links;
  const PortFilter& filter;
  EventJournal& journal;
  std::function<void(const wire::LinkEvent&)>* on_event = nullptr;

  std::optional<nic::LinkMonitor> monitor;
  std::unique_ptr<NetlinkReader> reader;   // its own thread; every other member is the io thread's
  nic::LinkChangeDetector detector;
  std::map<int, std::string> present;  // ifindex -> name the detector knows, for removals missed in an overrun
  std::unique_ptr<CarrierPoller> poller;
  std::map<std::string, std::int64_t> last_carrier_event;  // port -> stamp of its last journaled link_up/down
  std::optional<nic::RdmaEventMonitor> rdma;
  std::vector<std::unique_ptr<asio::posix::stream_descriptor>> rdma_fds;
  std::string rdma_note;
  std::uint64_t overruns = 0;
  int consecutive_errors = 0;   // the reader thread's
  bool failed = false;
  bool stopping = false;

  // on_event (the probe service: opening sockets, sending a hello on link_up) runs after the
  // long-polls this event woke have been answered: their wake-ups are queued on the io_context
  // already, and this goes behind them, so a reader is not kept waiting for a probe frame's send.
  void tell_followers(wire::LinkEvent ev) {
    if (!on_event || !*on_event) return;
    asio::post(io, [this, ev = std::move(ev)] {
      if (!stopping && on_event && *on_event) (*on_event)(ev);
    });
  }

  void journal_change(const nic::LinkChange& c, const char* source) {
    if (!filter.manages(c.state.name)) return;
    std::int64_t time_ns = c.state.read_time_ns;
    const bool carrier_event = c.kind == nic::LinkEventKind::link_up || c.kind == nic::LinkEventKind::link_down;
    // A carrier change the poller read before netlink announced it: the earlier reading is the
    // tighter bound. A reading from before this port's previous carrier event belongs to an
    // earlier change.
    if (poller && carrier_event) {
      const auto prev = last_carrier_event.find(c.state.name);
      if (auto seen = poller->last_change(c.state.name, c.state.carrier);
          seen && *seen <= time_ns && (prev == last_carrier_event.end() || *seen > prev->second)) {
        time_ns = *seen;
      }
    }
    if (carrier_event) last_carrier_event[c.state.name] = time_ns;
    wire::LinkEvent ev{.time_ns = time_ns,
                       .kind = nic::to_string(c.kind),
                       .port = c.state.name,
                       .ifindex = c.state.ifindex,
                       .source = source,
                       .admin_up = c.state.admin_up,
                       .carrier = c.state.carrier,
                       .oper_state = c.state.oper_state,
                       .previous_oper = c.previous_oper};
    ev.seq = journal.append(ev);
    spdlog::debug("event {} {} {} (seq {})", ev.port, ev.kind, ev.oper_state, ev.seq);
    tell_followers(std::move(ev));
  }

  void feed(nic::LinkState s, const char* source) {
    // A netlink reading stamped before this port's last journaled carrier change: the poller read
    // a later change and it was journaled first (netlink is stamped on its own thread, then handed
    // over). Its carrier is older news; journaling it would put an event out of time order.
    if (poller && !s.removed) {
      const auto prev = last_carrier_event.find(s.name);
      if (prev != last_carrier_event.end() && s.read_time_ns < prev->second) {
        if (const auto known = detector.known(s.ifindex)) {
          s.carrier = known->carrier;
          s.oper_state = known->oper_state;
        }
      }
    }
    if (s.removed) {
      if (const auto it = present.find(s.ifindex); it != present.end()) {
        if (s.name.empty()) s.name = it->second;
        present.erase(it);
      }
    } else {
      present[s.ifindex] = s.name;
    }
    for (const auto& c : detector.update(s)) journal_change(c, source);
  }

  // The poller read a carrier change (on the io thread, posted from the poller's).
  void on_poll(const std::string& port, bool carrier, std::int64_t read_ns) {
    if (stopping) return;
    // Posted before netlink's report of this change (or of a later one) was journaled: that event
    // is newer, and this reading would journal the same change again, out of order.
    if (const auto prev = last_carrier_event.find(port); prev != last_carrier_event.end() && read_ns <= prev->second) {
      return;
    }
    for (const auto& [ifindex, name] : present) {
      if (name != port) continue;
      auto state = detector.known(ifindex);
      if (!state || !state->admin_up || state->carrier == carrier) return;   // netlink told us already
      state->carrier = carrier;
      state->read_time_ns = read_ns;
      feed(*state, "carrier-poll");
      return;
    }
  }

  // After an overrun some messages are lost: compare the full table with what we knew.
  void resync() {
    auto devs = links.list();
    if (!devs) {
      spdlog::error("link watcher: re-reading the link table after an overrun failed: {}", devs.error().describe());
      return;
    }
    const std::int64_t now = realtime_ns();
    std::set<int> seen;
    for (const auto& d : *devs) {
      seen.insert(d.ifindex);
      feed(nic::LinkState{.ifindex = d.ifindex, .name = d.name, .admin_up = d.admin_up, .carrier = d.carrier,
                          .oper_state = d.oper_state, .removed = false, .read_time_ns = now},
           "netlink-resync");
    }
    const auto before = present;
    for (const auto& [idx, name] : before) {
      if (!seen.contains(idx)) {
        feed(nic::LinkState{.ifindex = idx, .name = name, .removed = true, .read_time_ns = now}, "netlink-resync");
      }
    }
  }

  // On the reader's thread (NetlinkReader): each batch is already stamped; the io_context, which
  // owns the detector, the journal and the long-pollers, journals it. Returns false to give up.
  // Not inlined into the reader's std::function: there GCC 12 sees the Result's vector through
  // std::expected's union and warns it "may be used uninitialized" (a false positive, -Werror).
  [[gnu::noinline]] bool on_read(Result<std::vector<nic::LinkState>> states) {
    if (!states) {
      if (states.error().cause == Cause::netlink_overrun) {
        consecutive_errors = 0;
        asio::post(io, [this] {
          if (stopping) return;
          ++overruns;
          spdlog::warn("link watcher: netlink overrun; re-reading the link table");
          resync();
        });
        return true;
      }
      spdlog::error("link watcher: {}", states.error().describe());
      // A socket that fails on every read would otherwise spin the reader.
      if (++consecutive_errors >= 100) {
        spdlog::critical("link watcher: giving up after {} failed reads; link events stop", consecutive_errors);
        asio::post(io, [this] { failed = true; });
        return false;
      }
      return true;
    }
    consecutive_errors = 0;
    if (states->empty()) return true;
    asio::post(io, [this, batch = std::move(*states)] {
      if (stopping) return;
      for (const auto& s : batch) feed(s, "netlink");
    });
    return true;
  }

  void on_reader_failure(const Error& e) {
    spdlog::critical("link watcher: {}; link events stop", e.describe());
    asio::post(io, [this] { failed = true; });
  }

  asio::awaitable<void> watch_rdma(asio::posix::stream_descriptor* d, int fd) {
    for (;;) {
      boost::system::error_code ec;
      co_await d->async_wait(asio::posix::stream_descriptor::wait_read, asio::redirect_error(asio::use_awaitable, ec));
      if (stopping || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        spdlog::error("rdma watcher: wait failed: {}", ec.message());
        co_return;
      }
      auto events = rdma->drain(fd);
      if (!events) {
        spdlog::error("rdma watcher: {}", events.error().describe());
        continue;
      }
      if (events->empty()) continue;
      const nic::RdmaScan scan = [] {
        auto s = nic::scan_rdma_sysfs();
        return s ? std::move(*s) : nic::RdmaScan{};
      }();
      for (const auto& e : *events) journal_rdma(e, scan);
    }
  }

  void journal_rdma(const nic::RdmaEvent& e, const nic::RdmaScan& scan) {
    std::string kind = "rdma_" + e.event;
    std::string detail;
    if (e.event.starts_with("other")) {
      kind = "rdma_other";
      detail = e.event;
    }
    // An RDMA event is journaled once per managed netdev of that port (or of the whole device).
    std::set<std::string> netdevs;
    for (const auto& p : scan.ports) {
      if (p.device != e.device || (e.port != 0 && p.port != e.port)) continue;
      for (const auto& n : p.netdevs) {
        if (filter.manages(n)) netdevs.insert(n);
      }
    }
    for (const auto& n : netdevs) {
      wire::LinkEvent ev{.time_ns = e.read_time_ns, .kind = kind, .port = n, .source = "rdma",
                         .rdma_device = e.device, .rdma_port = e.port, .detail = detail};
      if (auto dev = links.get(n)) {
        ev.ifindex = dev->ifindex;
        ev.admin_up = dev->admin_up;
        ev.carrier = dev->carrier;
        ev.oper_state = dev->oper_state;
      }
      ev.seq = journal.append(ev);
      tell_followers(std::move(ev));
    }
  }
};

LinkWatcher::LinkWatcher(asio::io_context& io, nic::NetlinkLinks& links, const PortFilter& filter,
                         EventJournal& journal)
    : impl_(std::make_unique<Impl>(io, links, filter, journal)) {
  impl_->on_event = &on_event;
}

LinkWatcher::~LinkWatcher() { stop(); }

Result<void> LinkWatcher::start(int stamp_priority) {
  Impl& m = *impl_;
  // Subscribe first, then read the table: a change in between is seen twice, never missed.
  auto monitor = nic::LinkMonitor::open();
  if (!monitor) return std::unexpected(monitor.error().context("open the netlink link monitor"));
  m.monitor.emplace(std::move(*monitor));
  auto devs = m.links.list();
  if (!devs) return std::unexpected(devs.error().context("list interfaces"));
  const std::int64_t now = realtime_ns();
  for (const auto& d : *devs) {
    m.detector.seed(nic::LinkState{.ifindex = d.ifindex, .name = d.name, .admin_up = d.admin_up,
                                   .carrier = d.carrier, .oper_state = d.oper_state, .read_time_ns = now});
    m.present[d.ifindex] = d.name;
  }
  Impl* impl = impl_.get();
  auto reader = NetlinkReader::start(
      *m.monitor, stamp_priority,
      [impl](Result<std::vector<nic::LinkState>> states) { return impl->on_read(std::move(states)); },
      [impl](const Error& e) { impl->on_reader_failure(e); });
  if (!reader) return std::unexpected(reader.error().context("start the netlink reader"));
  m.reader = std::move(*reader);

  auto rdma = nic::RdmaEventMonitor::open();
  if (!rdma) {
    m.rdma_note = "RDMA events unavailable: " + rdma.error().describe();
    spdlog::warn("{}", m.rdma_note);
    return {};
  }
  m.rdma.emplace(std::move(*rdma));
  m.rdma_note = m.rdma->note();
  for (const int fd : m.rdma->fds()) {
    m.rdma_fds.push_back(std::make_unique<asio::posix::stream_descriptor>(m.io, fd));
    asio::co_spawn(m.io, m.watch_rdma(m.rdma_fds.back().get(), fd),
                   [](std::exception_ptr e) { log_exception(e, "rdma watcher"); });
  }
  spdlog::info("link watcher: netlink monitor open; RDMA: {}",
               m.rdma_note.empty() ? std::to_string(m.rdma_fds.size()) + " device(s)" : m.rdma_note);
  return {};
}

void LinkWatcher::start_carrier_poll(std::chrono::microseconds period, int stamp_priority) {
  Impl& m = *impl_;
  std::vector<std::string> ports;
  for (const auto& [ifindex, name] : m.present) {
    if (m.filter.manages(name)) ports.push_back(name);
  }
  Impl* impl = impl_.get();
  m.poller = std::make_unique<CarrierPoller>(std::move(ports), period, stamp_priority, [impl](const std::string& port, bool carrier, std::int64_t read_ns) {
    asio::post(impl->io, [impl, port, carrier, read_ns] { impl->on_poll(port, carrier, read_ns); });
  });
  spdlog::info("link watcher: reading the carrier of managed ports every {} us while a caller arms it (POST /v1/carrier/poll)",
               period.count());
}

Result<wire::CarrierPollReply> LinkWatcher::arm_carrier_poll(const std::vector<std::string>& ports, std::chrono::milliseconds window) {
  const CarrierPoller* poller = impl_->poller.get();
  if (poller == nullptr) {
    return fail(Errc::unavailable, "carrier polling is off on this agent (started without --carrier-poll-us): its carrier "
                "changes are stamped from netlink alone");
  }
  const auto followed = poller->ports();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    if (std::find(followed.begin(), followed.end(), ports[i]) == followed.end()) {
      return fail(Errc::not_found, "the carrier poller follows no port named '" + ports[i] + "' (a managed port present when the agent started)",
                  "ports[" + std::to_string(i) + "]");
    }
  }
  const auto armed = impl_->poller->arm(ports, window);
  return wire::CarrierPollReply{.ports = armed.ports, .until_ns = armed.until_ns,
                                .period_us = static_cast<std::uint32_t>(poller->period().count())};
}

std::uint64_t LinkWatcher::carrier_poll_reads() const { return impl_->poller ? impl_->poller->reads() : 0; }

void LinkWatcher::stop() {
  if (!impl_) return;
  impl_->poller.reset();   // joins its thread: nothing is posted after this
  impl_->reader.reset();   // the same
  impl_->stopping = true;
  for (auto& d : impl_->rdma_fds) release(d);
}

std::uint64_t LinkWatcher::overruns() const { return impl_->overruns; }
bool LinkWatcher::failed() const { return impl_->failed; }
std::string LinkWatcher::rdma_note() const { return impl_->rdma_note; }

}  // namespace mixnet::agent
