#pragma once
// Reads each managed port's carrier bit (/sys/class/net/PORT/carrier, the kernel's
// netif_carrier_ok, no RTNL) on a thread of its own, and reports each change with the time it
// was read. Every `period` while changes are happening (for kBurst after the last change it saw
// or was told of: a reconfiguration changes many ports within a second or so), every kIdlePeriod
// otherwise, so a quiet host pays for a few hundred reads a second, not thousands.
//
// Why, next to netlink: the kernel announces a carrier change (RTM_NEWLINK) from its linkwatch
// worker, a normal-priority kworker that needs the RTNL lock; on a busy or virtualised host that
// announcement can lag the change by milliseconds. The carrier bit itself flips when the driver
// calls netif_carrier_on/off, so reading it bounds the lag by the period. Both observations are
// upper bounds of the true moment; the link watcher journals the earlier (docs/agent-api.md,
// "Link events").
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mixnet::agent {

class CarrierPoller {
 public:
  // Called on the poller's thread for every change it reads (and not for the first reading).
  using OnChange = std::function<void(const std::string& port, bool carrier, std::int64_t read_ns)>;

  static constexpr std::chrono::microseconds kIdlePeriod{2000};
  static constexpr std::chrono::seconds kBurst{3};

  CarrierPoller(std::vector<std::string> ports, std::chrono::microseconds period, OnChange on_change);
  ~CarrierPoller();
  CarrierPoller(const CarrierPoller&) = delete;
  CarrierPoller& operator=(const CarrierPoller&) = delete;

  // When this poller last saw `port` turn to `carrier` (CLOCK_REALTIME), if it did.
  [[nodiscard]] std::optional<std::int64_t> last_change(const std::string& port, bool carrier) const;

  // A carrier change seen elsewhere (netlink): read at the fast period for the next kBurst.
  void wake();

  // One read of a carrier file: 1 / 0, or nullopt when the port is down or gone (the kernel
  // answers EINVAL for a port that is not running).
  static std::optional<bool> read_carrier(int fd);

 private:
  void run();

  struct Port {
    std::string name;
    int fd = -1;
    std::optional<bool> carrier;
  };
  std::vector<Port> ports_;
  std::chrono::microseconds period_;
  OnChange on_change_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, bool>, std::int64_t> last_change_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> fast_until_{0};   // monotonic ns
  std::thread thread_;
};

}  // namespace mixnet::agent
