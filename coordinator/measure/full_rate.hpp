#pragma once
// "Traffic back at full rate", read from a throughput timeline (delivered bytes per bin, the
// agent's timeline mode). The rule (docs/measurement.md, "Traffic back at full rate"):
//   reference R   = the line rate, or the baseline: the median rate of the whole bins inside
//                   [command - baseline_window, command)
//   threshold T   = threshold_fraction * R
//   search start  = the bin holding the carrier loss (else the command)
//   dip           = the first bin from the search start whose rate is below T
//   full rate at  = the start of the first bin after the dip from which hold_bins consecutive bins
//                   (hold_bins = ceil(hold / bin width)) all carry at least T
// The answer is a bin start, so its own uncertainty is one bin width.
#include <cstdint>
#include <optional>
#include <string>
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

enum class Reference { line, baseline };

struct FullRateRule {
  double threshold_fraction = 0.9;          // of the reference rate
  std::int64_t hold_ns = 50'000'000;        // the rate must stay at or above the threshold this long
  Reference reference = Reference::line;
  double line_rate_gbps = 0;                // Reference::line
  std::int64_t baseline_window_ns = 500'000'000;  // Reference::baseline: bins this long before the command
};

// Checks the rule's fields; errors name them ("threshold_fraction", "line_rate_gbps", ...).
Result<void> validate(const FullRateRule& rule);

struct FullRateResult {
  std::optional<Timestamp> at;       // start of the first sustained bin (own uncertainty: one bin)
  std::optional<Timestamp> dip;      // start of the first bin below the threshold
  std::optional<double> reference_gbps;
  std::optional<double> threshold_gbps;
  std::string missing_reason;        // why `at` is absent
};

// `command_ns` anchors the baseline (coordinator clock); `search_from_ns` is where the outage is
// looked for (the carrier loss, else the command). Either may be absent: what needs it is missing.
FullRateResult find_full_rate(const Timeline& timeline, const FullRateRule& rule,
                              std::optional<std::int64_t> command_ns, std::optional<std::int64_t> search_from_ns);

}  // namespace mixnet::coord::measure
