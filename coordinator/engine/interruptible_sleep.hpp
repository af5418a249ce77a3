#pragma once
// The one way the coordinator sleeps: in short slices, looking at the run's cancel flag (Ctrl-C)
// between them, so no pause (the `wait` module, measure.reconfig's settle, the engine's delay
// between attempts) keeps a cancelled run waiting for its full length.
#include <atomic>
#include <cstdint>

namespace mixnet::coord {

enum class SleepEnd {
  elapsed,     // slept the whole time asked
  cancelled,   // `cancel` was set first
  deadline,    // the deadline came first
};

// Sleeps until `until_ns` (monotonic_ns()), waking at most 50 ms apart to look at `cancel`; stops
// early at `deadline_ns` (monotonic_ns(); 0: none). Cancel is looked at first: a run cancelled
// before the call does not sleep at all.
SleepEnd sleep_until(std::int64_t until_ns, const std::atomic<bool>& cancel, std::int64_t deadline_ns = 0);

// The same for a duration from now.
SleepEnd sleep_for_ns(std::int64_t duration_ns, const std::atomic<bool>& cancel, std::int64_t deadline_ns = 0);

}  // namespace mixnet::coord
