#pragma once
// LinkwatchPump: keeps the kernel's linkwatch announcing the lab's carrier changes at once.
//
// Why: every veth end of a lab lives in one kernel, and that kernel announces carrier changes
// (RTM_NEWLINK, and the qdisc that lets frames out) from one linkwatch worker. A run of that
// worker handles a bounded number of devices; what is left waits for the next run, which comes
// at once only when a new "urgent" change is queued, and otherwise up to a second later. A
// re-patch of the 1024-GPU lab changes the carrier of over 1500 ends in a few milliseconds, and
// the last NICs heard of their circuits 7-8 s after the plane made them (measured: runs a second
// apart after the burst). Real NICs each have their own kernel and no such queue; this is the
// emulation's artefact, and the pump removes what of it a trigger can remove (the worker's own
// time per device stays: a few hundred ms for 1536 ends on the 2-core VM).
//
// How: the plane namespace holds one spare veth pair. Before every admin change of an end the
// plane tells the pump which NIC port (host namespace and dev) must then announce carrier up or
// down (expect). While such an announcement is awaited, and for kGrace after the last change,
// the pump flips the spare pair's one end every kPeriod (the other end stays up, so each flip is
// an urgent change of a running device and starts a linkwatch run). It is told of the
// announcements (heard) by the plane's HostLinkWatch, the one listener per host namespace, gives
// up on a port after kGiveUp (no announcement came: its NIC went admin down meanwhile, say), and
// is idle otherwise: an idle lab stays idle. A flip costs about 30 us of kernel CPU (1000 in 92 ms
// on the 2-core VM). Its own socket and thread: the plane's lock is never held for a flip.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "tools/lab/plane/netns_netlink.hpp"

namespace mixnet::lab {

class LinkwatchPump {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kPeriod{1};
  static constexpr std::chrono::milliseconds kGrace{20};
  static constexpr std::chrono::seconds kGiveUp{2};

  // Opens its socket in `netns` and checks that `dev` (the spare end) is there; starts idle.
  static Result<std::unique_ptr<LinkwatchPump>> open(const std::string& netns, const std::string& dev);
  ~LinkwatchPump();   // stops and joins
  LinkwatchPump(const LinkwatchPump&) = delete;
  LinkwatchPump& operator=(const LinkwatchPump&) = delete;

  // The NIC port `host_dev` in `host_netns` is about to get (up) or lose (!up) carrier: pump
  // until the kernel announces it. Call before making the change. Cheap; never blocks on a flip.
  void expect(const std::string& host_netns, const std::string& host_dev, bool up);
  // The change was not made after all.
  void forget(const std::string& host_netns, const std::string& host_dev);
  // The kernel announced the NIC port operationally up or down (from the listener's thread).
  void heard(const std::string& host_netns, const std::string& host_dev, bool oper_up);

  // Figures for the plane's description and the tests.
  [[nodiscard]] std::uint64_t flips() const { return flips_.load(); }
  [[nodiscard]] std::uint64_t gave_up() const { return gave_up_.load(); }
  [[nodiscard]] std::size_t awaited() const;

 private:
  using Port = std::pair<std::string, std::string>;   // host namespace, dev
  struct Awaited {
    bool up = false;
    Clock::time_point since;
  };
  LinkwatchPump(NamespaceNetlink netlink, std::string dev);
  void run();
  bool busy(Clock::time_point now) const;   // mutex_ held
  void give_up_late(Clock::time_point now); // mutex_ held

  NamespaceNetlink netlink_;   // the pump thread's only
  std::string dev_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Port, Awaited> awaited_;
  Clock::time_point grace_until_{};
  bool stopping_ = false;
  bool spare_up_ = false;
  bool warned_ = false;
  std::atomic<std::uint64_t> flips_{0};
  std::atomic<std::uint64_t> gave_up_{0};
  std::thread thread_;   // last: started when everything above is ready
};

}  // namespace mixnet::lab
