// The coordinator's one sleep (coordinator/engine/interruptible_sleep.hpp): it ends on cancel,
// on the deadline, or when the time is up, and says which. No tight timing bounds: a cancelled
// 60 s sleep only has to come back well before 60 s.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "common/clock.hpp"
#include "coordinator/engine/interruptible_sleep.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace std::chrono_literals;

namespace {
constexpr std::int64_t kSecond = 1'000'000'000;
}

TEST_CASE("a sleep cancelled from another thread ends long before its length", "[unit][engine]") {
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    cancel = true;
  });
  const auto start = monotonic_ns();
  const SleepEnd end = sleep_for_ns(60 * kSecond, cancel);
  const auto slept = monotonic_ns() - start;
  canceller.join();
  CHECK(end == SleepEnd::cancelled);
  CHECK(slept < 30 * kSecond);
}

TEST_CASE("a sleep asked for after cancel does not sleep", "[unit][engine]") {
  std::atomic<bool> cancel{true};
  const auto start = monotonic_ns();
  CHECK(sleep_for_ns(60 * kSecond, cancel) == SleepEnd::cancelled);
  CHECK(monotonic_ns() - start < 30 * kSecond);
}

TEST_CASE("a sleep stops at its deadline and says so", "[unit][engine]") {
  std::atomic<bool> cancel{false};
  const auto start = monotonic_ns();
  CHECK(sleep_for_ns(60 * kSecond, cancel, start + 50'000'000) == SleepEnd::deadline);
  CHECK(monotonic_ns() - start < 30 * kSecond);
}

TEST_CASE("an uninterrupted sleep lasts at least its length", "[unit][engine]") {
  std::atomic<bool> cancel{false};
  const auto start = monotonic_ns();
  CHECK(sleep_for_ns(20'000'000, cancel) == SleepEnd::elapsed);
  CHECK(monotonic_ns() - start >= 20'000'000);
  CHECK(sleep_for_ns(0, cancel) == SleepEnd::elapsed);
}
