#pragma once
// How long links.verify holds a link's probes back for the agents' own hellos once both its ends
// are up. The hellos are free (the agents send them at carrier up and journal what they hear);
// probes are requests, and on a loaded machine they add to the load that delayed the hellos.
// So the grace follows how long the hellos of this run are seen to take: 1.5 x the slowest of
// the last kWindow links the hellos confirmed (from both ends up to confirmed, as the coordinator
// saw it), never below kFloorNs (what an idle host needs: hellos at carrier up and again 2 and
// 20 ms later) nor above kCeilingNs (a run whose hellos are lost still probes soon). A run in which
// no hello ever confirms a link keeps the floor.
#include <cstddef>
#include <cstdint>
#include <deque>

namespace mixnet::coord {

class HelloGrace {
 public:
  static constexpr std::int64_t kFloorNs = 30'000'000;     // 30 ms
  static constexpr std::int64_t kCeilingNs = 300'000'000;  // 300 ms
  static constexpr std::size_t kWindow = 64;

  // A link the hellos confirmed `latency_ns` after both its ends were up (negative: 0).
  void confirmed_after(std::int64_t latency_ns);
  [[nodiscard]] std::int64_t grace_ns() const;

 private:
  std::deque<std::int64_t> recent_;
};

}  // namespace mixnet::coord
