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

std::string_view to_string(Reference r) {
  switch (r) {
    case Reference::line: return "line";
    case Reference::baseline: return "baseline";
    case Reference::settled: return "settled";
  }
  return "line";
}

std::optional<Reference> reference_named(std::string_view name) {
  for (auto r : {Reference::line, Reference::baseline, Reference::settled})
    if (to_string(r) == name) return r;
  return std::nullopt;
}

Result<void> validate(const FullRateRule& rule) {
  if (!(rule.threshold_fraction > 0 && rule.threshold_fraction <= 1.0))
    return fail(Errc::invalid_argument, "must be in (0, 1]", "threshold_fraction");
  if (rule.hold_ns <= 0) return fail(Errc::invalid_argument, "must be positive", "hold_ns");
  if (rule.window_ns < 0) return fail(Errc::invalid_argument, "must be 0 (each bin alone) or positive", "window_ns");
  if (rule.reference == Reference::line && !(rule.line_rate_gbps > 0 && std::isfinite(rule.line_rate_gbps)))
    return fail(Errc::invalid_argument, "a line-rate reference needs a positive line rate", "line_rate_gbps");
  if ((rule.reference == Reference::baseline || rule.reference == Reference::settled) && rule.baseline_window_ns <= 0)
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

// Gb/s of `count` bins carrying `bytes` together; for one bin this is bin_gbps exactly.
double mean_gbps(std::uint64_t bytes, std::size_t count, std::int64_t bin_ns) {
  return count > 0 ? bin_gbps(bytes, static_cast<std::int64_t>(count) * bin_ns) : 0.0;
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

// The mean Gb/s (total bytes / total time, not the median: bursty bins can make the median 0) of
// the whole bins inside [end - window, end); nullopt when there are none (a window under one bin).
std::optional<double> settled_gbps(const Timeline& t, std::int64_t window_ns) {
  const auto whole = static_cast<std::size_t>(window_ns / t.bin_ns);
  const auto count = std::min(whole, t.bytes.size());
  if (count == 0) return std::nullopt;
  std::uint64_t sum = 0;
  for (std::size_t i = t.bytes.size() - count; i < t.bytes.size(); ++i) sum += t.bytes[i];
  return mean_gbps(sum, count, t.bin_ns);
}

// w = max(1, ceil(window / bin)), at most the timeline's length (a longer window never fits anyway).
std::size_t window_bins(std::int64_t window_ns, std::int64_t bin_ns, std::size_t bins) {
  if (window_ns <= bin_ns) return 1;
  const auto w = static_cast<std::uint64_t>(window_ns / bin_ns) + (window_ns % bin_ns != 0 ? 1 : 0);
  return static_cast<std::size_t>(std::min<std::uint64_t>(w, std::max<std::size_t>(bins, 1)));
}

double ms_of(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

FullRateResult find_full_rate(const Timeline& t, const FullRateRule& rule, std::optional<std::int64_t> command_ns,
                              std::optional<std::int64_t> search_from_ns, std::optional<std::int64_t> not_before_ns) {
  FullRateResult r;
  if (t.bin_ns <= 0 || t.bytes.empty()) {
    r.missing_reason = "the traffic timeline is empty";
    return r;
  }
  switch (rule.reference) {
    case Reference::line: r.reference_gbps = rule.line_rate_gbps; break;
    case Reference::baseline:
      if (!command_ns) {
        r.missing_reason = "no command time to take the baseline rate before";
        return r;
      }
      r.reference_gbps = baseline_gbps(t, rule.baseline_window_ns, *command_ns);
      if (!r.reference_gbps) {
        r.missing_reason = "no timeline bins before the command to take a baseline rate from";
        return r;
      }
      break;
    case Reference::settled:
      r.reference_gbps = settled_gbps(t, rule.baseline_window_ns);
      if (!r.reference_gbps) {
        r.missing_reason = fmt::format("no whole {:.3f} ms timeline bin in the last {:.3f} ms to take a settled rate from",
                                       ms_of(t.bin_ns), ms_of(rule.baseline_window_ns));
        return r;
      }
      if (!(*r.reference_gbps > 0)) {
        r.missing_reason = fmt::format("no settled rate: the traffic carried nothing in the timeline's last {:.3f} ms",
                                       ms_of(std::min<std::int64_t>(rule.baseline_window_ns,
                                                                    static_cast<std::int64_t>(t.bytes.size()) * t.bin_ns)));
        r.reference_gbps.reset();
        return r;
      }
      break;
  }
  r.threshold_gbps = rule.threshold_fraction * *r.reference_gbps;
  if (!search_from_ns) {
    r.missing_reason = "neither carrier loss nor command time to look for the outage from";
    return r;
  }
  const auto n = t.bytes.size();
  const auto end_ns = t.start.ns + static_cast<std::int64_t>(n) * t.bin_ns;
  if (*search_from_ns >= end_ns) {
    r.missing_reason = "the traffic timeline ends before the outage began";
    return r;
  }
  const std::size_t first =
      *search_from_ns <= t.start.ns ? 0 : static_cast<std::size_t>((*search_from_ns - t.start.ns) / t.bin_ns);

  // prefix[i] = bytes of bins [0, i): the smoothed rate at i is (prefix[i + w] - prefix[i]) / (w bins).
  const auto w = window_bins(rule.window_ns, t.bin_ns, n);
  std::vector<std::uint64_t> prefix(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + t.bytes[i];
  const auto smoothed = [&](std::size_t i) {  // truncated at the end of the timeline
    const auto last = std::min(i + w, n);
    return mean_gbps(prefix[last] - prefix[i], last - i, t.bin_ns);
  };
  const auto below = [&](std::size_t i) { return smoothed(i) < *r.threshold_gbps; };
  const auto sustained = [&](std::size_t i) { return i + w <= n && !below(i); };
  const auto window_span_ns = static_cast<std::int64_t>(w) * t.bin_ns;

  std::size_t dip = first;
  while (dip < n && !below(dip)) ++dip;
  if (dip == n) {
    r.missing_reason = fmt::format("traffic never fell below {:.3f} Gb/s after the outage began: no outage seen",
                                   *r.threshold_gbps);
    return r;
  }
  r.dip = bin_start(t, dip, window_span_ns);
  const auto hold_bins = std::max<std::size_t>(static_cast<std::size_t>((rule.hold_ns + t.bin_ns - 1) / t.bin_ns), 1);
  std::size_t run = 0;
  for (std::size_t i = dip + 1; i < n; ++i) {
    run = sustained(i) ? run + 1 : 0;
    if (run == hold_bins) {
      // The smoothing decided that the window from `first_window` is sustained; the moment is
      // placed on the bins themselves: the first bin of that window that is at full rate on its
      // own (one is, since the window's mean is), so it never precedes the bytes that made it
      // full, and its own uncertainty is one bin.
      const std::size_t first_window = i + 1 - run;
      std::size_t full = first_window;
      while (full + 1 < first_window + w && bin_gbps(t.bytes[full], t.bin_ns) < *r.threshold_gbps) ++full;
      r.at = bin_start(t, full, t.bin_ns);
      // The bin may have begun before the links came up (bytes arrive within it, after): the
      // moment is then the later link up, still inside the bin's uncertainty.
      if (not_before_ns && r.at->ns < *not_before_ns) r.at->ns = *not_before_ns;
      return r;
    }
  }
  r.missing_reason = fmt::format("traffic{} did not stay at or above {:.3f} Gb/s for {:.3f} ms before the timeline ended",
                                 w > 1 ? fmt::format(" (mean over {:.3f} ms)", ms_of(window_span_ns)) : std::string(),
                                 *r.threshold_gbps, ms_of(rule.hold_ns));
  return r;
}

}  // namespace mixnet::coord::measure
