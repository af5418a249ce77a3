#include "coordinator/measure/clock_alignment.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

namespace mixnet::coord::measure {

Result<ClockOffset> estimate_offset(std::string clock, std::span<const ClockSample> samples) {
  if (samples.empty()) return fail(Errc::invalid_argument, "no round trips to estimate a clock offset from", "samples");
  std::size_t best = 0;
  std::int64_t lower = std::numeric_limits<std::int64_t>::min();  // intersection of all intervals
  std::int64_t upper = std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& s = samples[i];
    if (s.t_recv_ns < s.t_send_ns) {
      return fail(Errc::invalid_argument,
                  fmt::format("reply received ({}) before the request was sent ({})", s.t_recv_ns, s.t_send_ns),
                  fmt::format("samples[{}].t_recv_ns", i));
    }
    if (narrower(s, samples[best])) best = i;
    lower = std::max(lower, s.agent_ns - s.t_recv_ns);
    upper = std::min(upper, s.agent_ns - s.t_send_ns);
  }
  const auto& b = samples[best];
  const auto rtt = b.round_trip_ns();
  ClockOffset out;
  out.clock = std::move(clock);
  // agent - (t_send + t_recv) / 2, written so it cannot overflow near the epoch's end.
  out.offset_ns = b.agent_ns - b.t_send_ns - rtt / 2;
  out.uncertainty_ns = (rtt + 1) / 2;  // rounded up, so the interval always covers the truth
  out.best_rtt_ns = rtt;
  out.measured_at_ns = b.t_send_ns;
  out.samples = samples.size();
  out.consistent = lower <= upper;
  return out;
}

bool narrower(const ClockSample& candidate, const ClockSample& best) { return candidate.round_trip_ns() < best.round_trip_ns(); }

void BestClockSample::add(const ClockSample& sample) {
  if (!best_ || narrower(sample, *best_)) best_ = sample;
}

std::optional<ClockOffset> BestClockSample::offset(std::string clock) const {
  if (!best_) return std::nullopt;
  auto offset = estimate_offset(std::move(clock), std::span(&*best_, 1));
  if (!offset) return std::nullopt;
  return *offset;
}

ClockDrift drift_between(const ClockOffset& before, const ClockOffset& after) {
  const std::int64_t moved_ns = after.offset_ns - before.offset_ns;
  return {moved_ns, std::llabs(moved_ns) > after.uncertainty_ns + before.uncertainty_ns};
}

Timestamp align(const ClockOffset& offset, std::int64_t agent_ns, std::int64_t own_uncertainty_ns) {
  return Timestamp{align_ns(offset.offset_ns, agent_ns), own_uncertainty_ns + offset.uncertainty_ns,
                   offset.uncertainty_ns, offset.clock};
}

std::int64_t align_ns(std::int64_t offset_ns, std::int64_t agent_ns) { return agent_ns - offset_ns; }

}  // namespace mixnet::coord::measure
