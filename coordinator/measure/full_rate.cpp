#include "coordinator/measure/full_rate.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "coordinator/measure/percentile.hpp"

namespace mixnet::coord::measure {

double bin_gbps(std::uint64_t bytes, std::int64_t bin_ns) {
  return bin_ns > 0 ? static_cast<double>(bytes) * 8.0 / static_cast<double>(bin_ns) : 0.0;
}

Timeline align_timeline(const ClockOffset& clock, std::int64_t agent_start_ns, std::int64_t bin_ns,
                        std::vector<std::uint64_t> bytes) {
  return Timeline{align(clock, agent_start_ns), bin_ns, std::move(bytes)};
}

Result<void> validate(const FullRateRule& rule) {
  if (!(rule.threshold_fraction > 0 && rule.threshold_fraction <= 1.0))
    return fail(Errc::invalid_argument, "must be in (0, 1]", "threshold_fraction");
  if (rule.hold_ns <= 0) return fail(Errc::invalid_argument, "must be positive", "hold_ns");
  if (rule.reference == Reference::line && !(rule.line_rate_gbps > 0 && std::isfinite(rule.line_rate_gbps)))
    return fail(Errc::invalid_argument, "a line-rate reference needs a positive line rate", "line_rate_gbps");
  if (rule.reference == Reference::baseline && rule.baseline_window_ns <= 0)
    return fail(Errc::invalid_argument, "must be positive", "baseline_window_ns");
  return {};
}

namespace {

Timestamp bin_start(const Timeline& t, std::size_t i, std::int64_t own_uncertainty_ns) {
  Timestamp s = t.start;
  s.ns += static_cast<std::int64_t>(i) * t.bin_ns;
  s.uncertainty_ns = t.start.clock_uncertainty_ns + own_uncertainty_ns;
  s.clock_uncertainty_ns = t.start.clock_uncertainty_ns;
  return s;
}

// The median Gb/s of the whole bins inside [command - window, command); nullopt when none.
std::optional<double> baseline_gbps(const Timeline& t, std::int64_t window_ns, std::int64_t command_ns) {
  std::vector<std::int64_t> bytes;
  for (std::size_t i = 0; i < t.bytes.size(); ++i) {
    const auto begin = t.start.ns + static_cast<std::int64_t>(i) * t.bin_ns;
    if (begin >= command_ns - window_ns && begin + t.bin_ns <= command_ns) bytes.push_back(static_cast<std::int64_t>(t.bytes[i]));
  }
  if (bytes.empty()) return std::nullopt;
  std::sort(bytes.begin(), bytes.end());
  return bin_gbps(static_cast<std::uint64_t>(nearest_rank(bytes, 50)), t.bin_ns);
}

}  // namespace

FullRateResult find_full_rate(const Timeline& t, const FullRateRule& rule, std::optional<std::int64_t> command_ns,
                              std::optional<std::int64_t> search_from_ns) {
  FullRateResult r;
  if (t.bin_ns <= 0 || t.bytes.empty()) {
    r.missing_reason = "the traffic timeline is empty";
    return r;
  }
  if (rule.reference == Reference::line) {
    r.reference_gbps = rule.line_rate_gbps;
  } else {
    if (!command_ns) {
      r.missing_reason = "no command time to take the baseline rate before";
      return r;
    }
    r.reference_gbps = baseline_gbps(t, rule.baseline_window_ns, *command_ns);
    if (!r.reference_gbps) {
      r.missing_reason = "no timeline bins before the command to take a baseline rate from";
      return r;
    }
  }
  r.threshold_gbps = rule.threshold_fraction * *r.reference_gbps;
  if (!search_from_ns) {
    r.missing_reason = "neither carrier loss nor command time to look for the outage from";
    return r;
  }
  const auto end_ns = t.start.ns + static_cast<std::int64_t>(t.bytes.size()) * t.bin_ns;
  if (*search_from_ns >= end_ns) {
    r.missing_reason = "the traffic timeline ends before the outage began";
    return r;
  }
  const std::size_t first =
      *search_from_ns <= t.start.ns ? 0 : static_cast<std::size_t>((*search_from_ns - t.start.ns) / t.bin_ns);
  const auto below = [&](std::size_t i) { return bin_gbps(t.bytes[i], t.bin_ns) < *r.threshold_gbps; };
  std::size_t dip = first;
  while (dip < t.bytes.size() && !below(dip)) ++dip;
  if (dip == t.bytes.size()) {
    r.missing_reason = fmt::format("traffic never fell below {:.3f} Gb/s after the outage began: no outage seen",
                                   *r.threshold_gbps);
    return r;
  }
  r.dip = bin_start(t, dip, t.bin_ns);
  const auto hold_bins = static_cast<std::size_t>((rule.hold_ns + t.bin_ns - 1) / t.bin_ns);
  std::size_t run = 0;
  for (std::size_t i = dip + 1; i < t.bytes.size(); ++i) {
    run = below(i) ? 0 : run + 1;
    if (run == std::max<std::size_t>(hold_bins, 1)) {
      r.at = bin_start(t, i + 1 - run, t.bin_ns);
      return r;
    }
  }
  r.missing_reason = fmt::format("traffic did not stay at or above {:.3f} Gb/s for {:.3f} ms before the timeline ended",
                                 *r.threshold_gbps, static_cast<double>(rule.hold_ns) / 1e6);
  return r;
}

}  // namespace mixnet::coord::measure
