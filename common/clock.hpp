#pragma once
// Clocks, in integer nanoseconds. Wall-clock (CLOCK_REALTIME) times are what agents report and
// what the coordinator aligns across hosts; monotonic times measure durations and deadlines.
#include <chrono>
#include <cstdint>
#include <string>

namespace mixnet {

inline constexpr std::int64_t kNsPerMs = 1'000'000;
inline constexpr std::int64_t kNsPerS = 1'000'000'000;

// A duration as the integer nanoseconds the clocks below count in (milliseconds convert exactly).
constexpr std::int64_t to_ns(std::chrono::nanoseconds d) { return static_cast<std::int64_t>(d.count()); }

std::int64_t realtime_ns();
std::int64_t monotonic_ns();

// "2026-11-29T06:40:12.123456789Z": for logs and reports, never for arithmetic.
std::string format_realtime_ns(std::int64_t ns);

}  // namespace mixnet
