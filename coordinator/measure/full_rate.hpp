#pragma once
// "Traffic back at full rate", read from a throughput timeline (delivered bytes per bin, the
// agent's timeline mode). The rule (docs/measurement.md, "Traffic back at full rate"):
//   reference R   = the line rate; or the baseline: the median rate of the whole bins inside
//                   [command - baseline_window, command); or settled: the mean rate (total bytes
//                   / time) of the whole bins inside [end - baseline_window, end), the stream's
//                   own steady rate at the end of the timeline (a new circuit has no baseline)
//   threshold T   = threshold_fraction * R
//   smoothed(i)   = the mean rate over bins [i, i + w), w = max(1, ceil(window / bin width));
//                   w = 1 (window 0) judges each bin alone. A window that runs past the end of the
//                   timeline is truncated for the dip and never counts as sustained.
//   search start  = the bin holding the carrier loss (else the command)
//   dip           = the first bin from the search start whose smoothed rate is below T
//   sustained     = the first bin i0 after the dip from which the smoothed rate stays at least T
//                   at each of hold_bins consecutive bins (hold_bins = ceil(hold / bin width))
//   full rate at  = the start of the first bin of [i0, i0 + w) whose own rate is at least T (the
//                   window's mean is, so one is), and never before `not_before` (the links up)
// The smoothing decides whether a window is sustained; the moment is placed on a bin that carried
// full rate itself, so it never precedes the first delivered byte, and its own uncertainty is one
// bin whatever the window.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/measure/timestamp.hpp"

namespace mixnet::coord::measure {

// A timeline moved onto the coordinator's clock: bin i covers [start + i*bin_ns, start + (i+1)*bin_ns).
struct Timeline {
  Timestamp start;                  // start of bin 0 (aligned; uncertainty = the clock's)
  std::int64_t bin_ns = 1'000'000;
  std::vector<std::uint64_t> bytes; // delivered bytes per bin
};

// An agent's timeline (its TrafficTimeline: start_ns of bin 0 on the agent's clock, bin_us, bins)
// moved onto the coordinator's clock.
Timeline align_timeline(const ClockOffset& clock, std::int64_t agent_start_ns, std::int64_t bin_ns,
                        std::vector<std::uint64_t> bytes);

// Gb/s of one bin: bits per ns is Gb/s.
double bin_gbps(std::uint64_t bytes, std::int64_t bin_ns);

// line: the configured line rate. baseline: the median rate before the command. settled: the
// stream's own mean rate over the end of the timeline (a new circuit, or a line rate not reachable).
enum class Reference { line, baseline, settled };

// "line", "baseline", "settled".
std::string_view to_string(Reference r);
std::optional<Reference> reference_named(std::string_view name);

struct FullRateRule {
  double threshold_fraction = 0.9;          // of the reference rate
  std::int64_t hold_ns = 50'000'000;        // the rate must stay at or above the threshold this long
  std::int64_t window_ns = 0;               // smoothing: the rate judged at a bin is the mean over this
                                            // long from it; 0: each bin alone
  Reference reference = Reference::line;
  double line_rate_gbps = 0;                // Reference::line
  std::int64_t baseline_window_ns = 500'000'000;  // baseline: bins this long before the command;
                                                  // settled: the timeline's last this-long
};

// Checks the rule's fields; errors name them ("threshold_fraction", "line_rate_gbps", ...).
Result<void> validate(const FullRateRule& rule);

struct FullRateResult {
  std::optional<Timestamp> at;       // start of the first full bin of the first sustained window,
                                     // or the links' up when later (own uncertainty: one bin)
  std::optional<Timestamp> dip;      // start of the first bin whose smoothed rate is below the threshold
  std::optional<double> reference_gbps;
  std::optional<double> threshold_gbps;
  std::string missing_reason;        // why `at` is absent
};

// `command_ns` anchors the baseline (coordinator clock); `search_from_ns` is where the outage is
// looked for (the carrier loss, else the command). Either may be absent: what needs it is missing
// (the line and settled references need no command). `not_before_ns`: the moment the circuit's
// links were up at both ends (the later link up); the answer is never before it.
FullRateResult find_full_rate(const Timeline& timeline, const FullRateRule& rule,
                              std::optional<std::int64_t> command_ns, std::optional<std::int64_t> search_from_ns,
                              std::optional<std::int64_t> not_before_ns = std::nullopt);

}  // namespace mixnet::coord::measure
