#pragma once
// Feeds the journal from the kernel. The LinkMonitor's netlink socket is read by a thread of its
// own (NetlinkReader: blocked in poll(), stamping each message as it is read, at the stamping
// priority); what it reads is handed to the io_context, which turns states into changes
// (LinkChangeDetector) and journals those on managed ports, waking long-pollers at once. Every RDMA
// device's async-event fd is waited on by the io_context (readiness, no polling). A netlink
// overrun (ENOBUFS) re-reads the whole link table and journals whatever differs.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/event_journal.hpp"
#include "agent/port_filter.hpp"
#include "common/result.hpp"
#include "common/wire/agent_api.hpp"
#include "hwdrivers/nic/netlink_links.hpp"

namespace boost::asio {
class io_context;
}

namespace mixnet::agent {

class LinkWatcher {
 public:
  LinkWatcher(boost::asio::io_context& io, nic::NetlinkLinks& links, const PortFilter& filter, EventJournal& journal);
  ~LinkWatcher();
  LinkWatcher(const LinkWatcher&) = delete;
  LinkWatcher& operator=(const LinkWatcher&) = delete;

  // Opens the monitors, seeds the known state and starts waiting; the netlink reader's thread takes
  // SCHED_FIFO `stamp_priority` (0: as the calling thread). RDMA monitoring failing to open is
  // logged and leaves netlink monitoring running.
  Result<void> start(int stamp_priority);
  void stop();

  // Also reads the managed ports' carrier bits every `period` (CarrierPoller): a carrier change
  // is journaled at the earlier of that reading and the netlink announcement. After start().
  // The polling thread takes SCHED_FIFO `stamp_priority` (0: as it is).
  void start_carrier_poll(std::chrono::microseconds period, int stamp_priority);

  // Arms the poller for `ports` (empty: all it follows) for `window` (POST /v1/carrier/poll).
  // Errors: unavailable when polling is off; not_found naming "ports[i]" for a port it does not follow.
  Result<wire::CarrierPollReply> arm_carrier_poll(const std::vector<std::string>& ports, std::chrono::milliseconds window);
  // Readings of port counters the poller has made (0 when polling is off): /metrics.
  [[nodiscard]] std::uint64_t carrier_poll_reads() const;

  // Called after each event is journaled (the probe service follows ports that come and go).
  std::function<void(const wire::LinkEvent&)> on_event;

  [[nodiscard]] std::uint64_t overruns() const;
  // True once netlink monitoring has stopped for good (the journal gets no more link events).
  [[nodiscard]] bool failed() const;
  [[nodiscard]] std::string rdma_note() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::agent
