#pragma once
// Reads managed ports' carrier transition counters (/sys/class/net/PORT/carrier_up_count and
// carrier_down_count) on a thread of its own, and reports each change with the time it was read:
// every `period`, for the ports and the window a caller arms (POST /v1/carrier/poll: the
// coordinator arms a measurement's ports before it re-patches the switch). Outside an armed window
// it reads nothing and its thread sleeps: an idle agent uses no CPU, and tests that share the
// host's cores are not disturbed by a SCHED_FIFO reader.
//
// Why, next to netlink: the kernel announces a carrier change (RTM_NEWLINK) from its linkwatch
// worker, a normal-priority kworker that needs the RTNL lock; on a busy or virtualised host that
// announcement can lag the change by milliseconds. The counters count in netif_carrier_on/off
// themselves, so reading them bounds the lag by the period. Both observations are upper bounds of
// the true moment; the link watcher journals the earlier (docs/agent-api.md, "Link events").
//
// Why the counters and not the `carrier` file: on current kernels (6.x) reading `carrier` takes
// the RTNL lock (and syncs the linkwatch queue), so each reading waits behind every link change
// on the host and behind the normal-priority linkwatch worker, which a busy host preempts while it
// holds the lock: readings 30 ms late were seen. The counters are plain atomics, read without any
// lock. The kernel counts a transition only when the carrier really flips, so they alternate: an
// odd number of new transitions flips the state, an even number leaves it (a flap within one
// period). `carrier` is read only to learn the state the counting starts from.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"

namespace mixnet::agent {

class CarrierPoller {
 public:
  // Called on the poller's thread for every change it reads (and not for the first reading).
  using OnChange = std::function<void(const std::string& port, bool carrier, std::int64_t read_ns)>;

  // `stamp_priority`: the SCHED_FIFO priority the polling thread takes (0: as it is); its reads
  // are timestamps, late by however long it waits for a core.
  CarrierPoller(std::vector<std::string> ports, std::chrono::microseconds period, int stamp_priority, OnChange on_change);
  ~CarrierPoller();
  CarrierPoller(const CarrierPoller&) = delete;
  CarrierPoller& operator=(const CarrierPoller&) = delete;

  // When this poller last saw `port` turn to `carrier` (CLOCK_REALTIME), if it did.
  [[nodiscard]] std::optional<std::int64_t> last_change(const std::string& port, bool carrier) const;

  // Reads `ports` (empty: every port it follows) every period for `window` from now, or longer
  // where an earlier call armed them longer. Returns the ports armed, in order; none when it
  // follows none of them (the caller names what it asked for).
  struct Armed {
    std::vector<std::string> ports;
    std::int64_t until_ns = 0;   // CLOCK_REALTIME: the latest end among them
  };
  Armed arm(const std::vector<std::string>& ports, std::chrono::milliseconds window);

  // The ports it follows (those whose counters it could open), and how many readings of a port's
  // counters it has made (for /metrics: a quiet, unarmed agent's count does not move).
  [[nodiscard]] std::vector<std::string> ports() const;
  [[nodiscard]] std::uint64_t reads() const { return reads_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::chrono::microseconds period() const { return period_; }

  // One read of a carrier file: 1 / 0, or nullopt when the port is down or gone (the kernel
  // answers EINVAL for a port that is not running).
  static std::optional<bool> read_carrier(int fd);

  // One read of a counter file (carrier_up_count, carrier_down_count); nullopt when unreadable.
  static std::optional<std::uint64_t> read_count(int fd);

  struct Counts {
    std::uint64_t up = 0;
    std::uint64_t down = 0;
  };
  // The carrier after the transitions counted between two readings, starting from `before`:
  // nullopt when it ends as it was (none, or an even number), or when a counter went backwards
  // (the port was re-created: the state must be learned again).
  static std::optional<bool> carrier_after(bool before, Counts was, Counts now);

 private:
  void run();

  struct Port {
    std::string name;
    UniqueFd carrier_fd;   // to learn the state the counting starts from (takes RTNL)
    UniqueFd up_fd;
    UniqueFd down_fd;
    Counts counts;
    std::optional<bool> carrier;   // unknown while the port is not running
    std::int64_t armed_until = 0;  // monotonic ns; guarded by mu_
    bool relearn = false;          // armed afresh: learn its state before counting (mu_)
  };
  // Learns p's state and the counts it starts from (a reading of both that no transition split).
  static void learn_state(Port& p);
  [[nodiscard]] static std::optional<Counts> read_counts(const Port& p);
  std::vector<Port> ports_;
  std::chrono::microseconds period_;
  int stamp_priority_ = 0;
  OnChange on_change_;
  mutable std::mutex mu_;
  std::condition_variable armed_;   // an arm() or the destructor: the sleeping thread looks again
  std::map<std::pair<std::string, bool>, std::int64_t> last_change_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> reads_{0};
  std::thread thread_;
};

}  // namespace mixnet::agent
