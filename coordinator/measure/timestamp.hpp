#pragma once
// A moment on the coordinator's clock, with how sure we are of it. Agent timestamps are moved onto
// the coordinator's clock by clock alignment (clock_alignment.hpp); the part of the uncertainty that
// alignment adds is kept apart, because two stamps of the same agent share it: the duration between
// them does not carry it.
#include <cstdint>
#include <string>
#include <string_view>

namespace mixnet::coord::measure {

inline constexpr std::string_view kCoordinatorClock = "coordinator";

struct Timestamp {
  std::int64_t ns = 0;                    // CLOCK_REALTIME ns, coordinator clock
  std::int64_t uncertainty_ns = 0;        // +- in all: clock alignment plus the stamp's own (e.g. a bin width)
  std::int64_t clock_uncertainty_ns = 0;  // the part of uncertainty_ns due to clock alignment
  std::string clock{kCoordinatorClock};   // whose clock took it: "coordinator", "agent:h1"

  [[nodiscard]] std::int64_t own_uncertainty_ns() const { return uncertainty_ns - clock_uncertainty_ns; }
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// A stamp the coordinator took itself (command sent, switch acknowledged): exact by definition.
inline Timestamp coordinator_time(std::int64_t ns) { return Timestamp{ns, 0, 0, std::string(kCoordinatorClock)}; }

// The uncertainty of b - a: stamps of one clock share its alignment error, which cancels.
inline std::int64_t difference_uncertainty_ns(const Timestamp& a, const Timestamp& b) {
  if (a.clock == b.clock) return a.own_uncertainty_ns() + b.own_uncertainty_ns();
  return a.uncertainty_ns + b.uncertainty_ns;
}

}  // namespace mixnet::coord::measure
