#pragma once
// Clocks, in integer nanoseconds. Wall-clock (CLOCK_REALTIME) times are what agents report and
// what the coordinator aligns across hosts; monotonic times measure durations and deadlines.
#include <cstdint>
#include <string>

namespace mixnet {

inline constexpr std::int64_t kNsPerMs = 1'000'000;
inline constexpr std::int64_t kNsPerS = 1'000'000'000;

std::int64_t realtime_ns();
std::int64_t monotonic_ns();

// "2026-11-29T06:40:12.123456789Z": for logs and reports, never for arithmetic.
std::string format_realtime_ns(std::int64_t ns);

}  // namespace mixnet
