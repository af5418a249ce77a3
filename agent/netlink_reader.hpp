#pragma once
// The link watcher's netlink reader: a thread of its own that waits in poll() on the LinkMonitor's
// socket and reads each message the moment the kernel queues it, so a link event's stamp
// (LinkMonitor::drain: CLOCK_REALTIME right after recvmsg returns) is not late by whatever the
// io_context is doing then (answering a request, serialising a page of events) nor by Asio's
// wake-up path. It takes SCHED_FIFO at the stamping priority (--stamp-priority). What it read goes
// to `on_read` on this thread; the link watcher hands it to the io_context, which owns the change
// detector, the journal and the long-pollers. An idle reader sleeps in poll(): no timer, no CPU.
//
// Why not a kernel receive timestamp: netlink has none (SO_TIMESTAMPNS on an rtnetlink socket
// yields no control message; the kernel's netlink_recvmsg does not record one), so the read time
// is the earliest stamp there is, and this thread exists to take it first.
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "hwdrivers/nic/link_monitor.hpp"
#include "hwdrivers/nic/netdev.hpp"

namespace mixnet::agent {

class NetlinkReader {
 public:
  // Called on the reader's thread with each batch drain() returned (or its error: an overrun
  // asks for a re-read of the link table). Returning false stops the reader (the owner gave up).
  using OnRead = std::function<bool(Result<std::vector<nic::LinkState>>)>;
  // Called on the reader's thread once if waiting on the socket fails: link events stop.
  using OnFailure = std::function<void(const Error&)>;

  // Starts reading `monitor` (which must outlive this) at SCHED_FIFO `stamp_priority` (0: the
  // creating thread's policy, which a new thread inherits).
  static Result<std::unique_ptr<NetlinkReader>> start(nic::LinkMonitor& monitor, int stamp_priority, OnRead on_read,
                                                      OnFailure on_failure);
  ~NetlinkReader();   // stops and joins: no callback runs after it returns
  NetlinkReader(const NetlinkReader&) = delete;
  NetlinkReader& operator=(const NetlinkReader&) = delete;

 private:
  NetlinkReader(nic::LinkMonitor& monitor, UniqueFd stop_fd, OnRead on_read, OnFailure on_failure);
  void run(int stamp_priority);

  nic::LinkMonitor& monitor_;
  UniqueFd stop_fd_;   // an eventfd: written once to end poll()
  OnRead on_read_;
  OnFailure on_failure_;
  std::thread thread_;
};

}  // namespace mixnet::agent
