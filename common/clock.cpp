#include "common/clock.hpp"

#include <ctime>
#include <fmt/format.h>

namespace mixnet {

namespace {
std::int64_t read_clock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

std::int64_t realtime_ns() { return read_clock(CLOCK_REALTIME); }
std::int64_t monotonic_ns() { return read_clock(CLOCK_MONOTONIC); }

std::string format_realtime_ns(std::int64_t ns) {
  const time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  const long frac = static_cast<long>(ns % 1'000'000'000);
  tm utc{};
  gmtime_r(&secs, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, frac);
}

}  // namespace mixnet
