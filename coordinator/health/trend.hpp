#pragma once
// Trends (docs/health/rules.md, "Trends"): one figure of one part across nights, and the slow
// decline that no single night's rule catches (each night within 5% of the baseline, but 1% lower
// every night). The slope is Theil-Sen (the median of the slopes between every two nights), so
// one bad night, which the night's own rules already judge, does not read as a decline.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/health/baseline.hpp"
#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

struct TrendPoint {
  std::string run_id;
  std::int64_t at_ns = 0;          // when the run started; points are nights in this order
  std::optional<double> value;     // missing nights are left out of the slope
};

struct TrendOptions {
  int nights = 7;                  // the last N nights with a value are fitted
  int min_nights = 4;              // fewer: no judgement
  double decline_percent = 3.0;    // total fitted loss over those nights that warns
  bool higher_is_better = true;    // bandwidth: a fall is a decline; error counts: a rise
};

struct TrendFit {
  int nights = 0;                  // points used
  double slope_per_night = 0;      // Theil-Sen
  double start = 0;                // fitted value at the first and last night used
  double end = 0;
  double change_percent = 0;       // (end - start) / |start| * 100
};

// The fit over the last `options.nights` points with a value; nullopt with fewer than min_nights.
[[nodiscard]] std::optional<TrendFit> fit_trend(const std::vector<TrendPoint>& series, const TrendOptions& options);

// A warning Finding (rule "trend") when the fitted change over the window is a decline of more
// than decline_percent; nullopt otherwise.
[[nodiscard]] std::optional<Finding> detect_decline(PartKind kind, const std::string& part, const std::string& figure,
                                                    const std::vector<TrendPoint>& series, const TrendOptions& options);

// One figure of one part across nights: a point per night given (missing where that night did
// not measure it, or measured it without a value); several values in a night give their median.
struct TrendSeries {
  PartKind kind = PartKind::port;
  std::string part;
  std::string figure;
  std::string unit;
  std::vector<TrendPoint> points;
};
[[nodiscard]] std::vector<TrendSeries> series_of(const std::vector<RunObservations>& nights);

// Which figures a decline is judged on: bandwidth (Gb/s), where higher is better. Counters and
// optical power are shown in the trend but judged by the night's own rules.
[[nodiscard]] bool trend_judged(const TrendSeries& series);

// detect_decline over every judged series.
[[nodiscard]] std::vector<Finding> detect_declines(const std::vector<TrendSeries>& series, const TrendOptions& options);

}  // namespace mixnet::coord::health
