#pragma once
// Clock alignment, NTP style: from repeated round trips to an agent's GET /v1/clock (t_send and
// t_recv on the coordinator's clock, the agent's CLOCK_REALTIME read in between) estimate
//   offset = agent clock - coordinator clock
// from the sample with the shortest round trip, with uncertainty = half that round trip.
// Why it holds whatever the path asymmetry: the agent read its clock somewhere between t_send and
// t_recv, so the true offset lies in [agent - t_recv, agent - t_send]; the midpoint is at most
// rtt/2 from either end, and the shortest round trip gives the narrowest such interval.
// docs/measurement.md, "Clock alignment".
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/result.hpp"
#include "coordinator/measure/timestamp.hpp"

namespace mixnet::coord::measure {

struct ClockSample {
  std::int64_t t_send_ns = 0;   // coordinator clock, just before the request left
  std::int64_t agent_ns = 0;    // the agent's realtime_ns from the reply
  std::int64_t t_recv_ns = 0;   // coordinator clock, just after the reply arrived
  [[nodiscard]] std::int64_t round_trip_ns() const { return t_recv_ns - t_send_ns; }
};

struct ClockOffset {
  std::string clock;                  // "agent:h1"
  std::int64_t offset_ns = 0;         // agent clock - coordinator clock
  std::int64_t uncertainty_ns = 0;    // +-: ceil(best_rtt / 2)
  std::int64_t best_rtt_ns = 0;
  std::int64_t measured_at_ns = 0;    // coordinator time of the best sample (its t_send)
  std::uint64_t samples = 0;
  // Every sample's interval [agent - t_recv, agent - t_send] should overlap the others'. When they
  // do not, a clock stepped (NTP) while we sampled: the offset is then not one number.
  bool consistent = true;
};

// Errors (invalid_argument) name the field: "samples" when empty, "samples[3].t_recv_ns" when a
// reply came back before its request left.
Result<ClockOffset> estimate_offset(std::string clock, std::span<const ClockSample> samples);

// Of two round trips to one agent, true when `candidate` is the one to trust over `best`: the
// shorter round trip, so the narrower window (the earlier sample wins a tie).
[[nodiscard]] bool narrower(const ClockSample& candidate, const ClockSample& best);

// The round trips to one agent as they come, keeping only the one estimate_offset would choose:
// an offset at any time without holding every sample (AgentPool's running estimate).
class BestClockSample {
 public:
  void add(const ClockSample& sample);
  // estimate_offset of the best sample; nullopt when there is none, or it is unusable.
  [[nodiscard]] std::optional<ClockOffset> offset(std::string clock) const;

 private:
  std::optional<ClockSample> best_;
};

// How far an agent's offset moved between two estimates, and whether that is more than both
// uncertainties allow: then the clock stepped or drifted while we measured.
struct ClockDrift {
  std::int64_t ns = 0;    // after - before
  bool moved = false;
};
ClockDrift drift_between(const ClockOffset& before, const ClockOffset& after);

// An agent timestamp on the coordinator's clock. own_uncertainty_ns is the stamp's own (a bin
// width, say); the alignment's uncertainty is added to it.
Timestamp align(const ClockOffset& offset, std::int64_t agent_ns, std::int64_t own_uncertainty_ns = 0);

// The same moment as a bare number, for a caller that holds only the offset's value (the link
// verifier, from AgentPool::clock_offset_ns): align()'s arithmetic, without the uncertainty.
[[nodiscard]] std::int64_t align_ns(std::int64_t offset_ns, std::int64_t agent_ns);

}  // namespace mixnet::coord::measure
