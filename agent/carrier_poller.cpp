#include "agent/carrier_poller.hpp"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/clock.hpp"

namespace mixnet::agent {

CarrierPoller::CarrierPoller(std::vector<std::string> ports, std::chrono::microseconds period, OnChange on_change)
    : period_(period), on_change_(std::move(on_change)) {
  for (auto& name : ports) {
    const std::string path = "/sys/class/net/" + name + "/carrier";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      spdlog::warn("carrier poll: cannot open {}: {}; {} is followed by netlink only", path, std::strerror(errno), name);
      continue;
    }
    ports_.push_back(Port{.name = std::move(name), .fd = fd, .carrier = read_carrier(fd)});
  }
  if (!ports_.empty()) thread_ = std::thread([this] { run(); });
}

CarrierPoller::~CarrierPoller() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  for (auto& p : ports_) ::close(p.fd);
}

std::optional<bool> CarrierPoller::read_carrier(int fd) {
  char buf[8];
  // sysfs regenerates an attribute on every read from offset 0.
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  if (n <= 0) return std::nullopt;
  if (buf[0] == '1') return true;
  if (buf[0] == '0') return false;
  return std::nullopt;
}

std::optional<std::int64_t> CarrierPoller::last_change(const std::string& port, bool carrier) const {
  std::lock_guard lock(mu_);
  const auto it = last_change_.find({port, carrier});
  if (it == last_change_.end()) return std::nullopt;
  return it->second;
}

void CarrierPoller::wake() {
  fast_until_.store(monotonic_ns() + std::chrono::nanoseconds(kBurst).count(), std::memory_order_relaxed);
}

void CarrierPoller::run() {
  (void)pthread_setname_np(pthread_self(), "mx-carrier");
  timespec next{};
  ::clock_gettime(CLOCK_MONOTONIC, &next);
  const long fast_ns = static_cast<long>(period_.count()) * 1000;
  const long idle_ns = std::max(fast_ns, static_cast<long>(kIdlePeriod.count()) * 1000);
  while (!stop_.load(std::memory_order_relaxed)) {
    for (auto& p : ports_) {
      const auto now = read_carrier(p.fd);
      const std::int64_t read_ns = realtime_ns();   // after the read: an upper bound of the change
      // A port that is not running has no carrier to speak of: netlink reports its admin change.
      if (!now || now == p.carrier) continue;
      const bool first = !p.carrier.has_value();
      p.carrier = now;
      if (first) continue;
      {
        std::lock_guard lock(mu_);
        last_change_[{p.name, *now}] = read_ns;
      }
      wake();
      on_change_(p.name, *now, read_ns);
    }
    const long step_ns = monotonic_ns() < fast_until_.load(std::memory_order_relaxed) ? fast_ns : idle_ns;
    // Absolute deadlines: the period does not stretch by the time the reads took.
    next.tv_nsec += step_ns;
    while (next.tv_nsec >= 1'000'000'000) {
      next.tv_nsec -= 1'000'000'000;
      ++next.tv_sec;
    }
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) next = now;  // fell behind: no burst
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
  }
}

}  // namespace mixnet::agent
