#include "coordinator/engine/interruptible_sleep.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>

#include "common/clock.hpp"

namespace mixnet::coord {

namespace {
// How late a cancel may be noticed: short enough for a person at Ctrl-C, long enough not to spin.
constexpr std::int64_t kSliceNs = 50'000'000;
}  // namespace

SleepEnd sleep_until(std::int64_t until_ns, const std::atomic<bool>& cancel, std::int64_t deadline_ns) {
  const std::int64_t deadline = deadline_ns == 0 ? std::numeric_limits<std::int64_t>::max() : deadline_ns;
  while (true) {
    if (cancel.load()) return SleepEnd::cancelled;
    const auto now = monotonic_ns();
    if (now >= until_ns) return SleepEnd::elapsed;
    if (now >= deadline) return SleepEnd::deadline;
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min({until_ns - now, deadline - now, kSliceNs})));
  }
}

SleepEnd sleep_for_ns(std::int64_t duration_ns, const std::atomic<bool>& cancel, std::int64_t deadline_ns) {
  return sleep_until(monotonic_ns() + std::max<std::int64_t>(duration_ns, 0), cancel, deadline_ns);
}

}  // namespace mixnet::coord
