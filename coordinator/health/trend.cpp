#include "coordinator/health/trend.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "coordinator/health/baseline.hpp"

namespace mixnet::coord::health {

std::optional<TrendFit> fit_trend(const std::vector<TrendPoint>& series, const TrendOptions& options) {
  std::vector<double> values;
  for (const auto& p : series)
    if (p.value && std::isfinite(*p.value)) values.push_back(*p.value);
  const auto want = static_cast<std::size_t>(std::max(options.nights, 2));
  if (values.size() > want) values.erase(values.begin(), values.end() - static_cast<std::ptrdiff_t>(want));
  if (values.size() < static_cast<std::size_t>(std::max(options.min_nights, 2))) return std::nullopt;
  // Theil-Sen: nights are evenly spaced by index (a skipped night does not bend the line).
  std::vector<double> slopes;
  for (std::size_t i = 0; i < values.size(); ++i)
    for (std::size_t j = i + 1; j < values.size(); ++j) slopes.push_back((values[j] - values[i]) / static_cast<double>(j - i));
  TrendFit fit;
  fit.nights = static_cast<int>(values.size());
  fit.slope_per_night = median_of(slopes);
  // The intercept that goes with it: the median of value - slope * night.
  std::vector<double> intercepts;
  for (std::size_t i = 0; i < values.size(); ++i) intercepts.push_back(values[i] - fit.slope_per_night * static_cast<double>(i));
  fit.start = median_of(intercepts);
  fit.end = fit.start + fit.slope_per_night * static_cast<double>(values.size() - 1);
  fit.change_percent = fit.start != 0 ? (fit.end - fit.start) / std::fabs(fit.start) * 100.0 : 0.0;
  return fit;
}

std::optional<Finding> detect_decline(PartKind kind, const std::string& part, const std::string& figure,
                                      const std::vector<TrendPoint>& series, const TrendOptions& options) {
  const auto fit = fit_trend(series, options);
  if (!fit) return std::nullopt;
  const double decline = options.higher_is_better ? -fit->change_percent : fit->change_percent;
  if (decline <= options.decline_percent) return std::nullopt;
  Finding f;
  f.severity = Severity::warning;
  f.kind = kind;
  f.part = part;
  f.figure = figure;
  f.rule = "trend";
  f.value = fit->end;
  f.reference = fit->start;
  f.message = fmt::format("{} {} {:.1f}% over {} nights ({:.4g} -> {:.4g}, {:+.3g} a night): a slow decline (more than {:.4g}%)", figure,
                          options.higher_is_better ? "fell" : "rose", decline, fit->nights, fit->start, fit->end, fit->slope_per_night,
                          options.decline_percent);
  return f;
}

std::vector<TrendSeries> series_of(const std::vector<RunObservations>& nights) {
  struct Acc {
    TrendSeries series;
    std::vector<std::vector<double>> values;   // per night
  };
  std::map<std::pair<std::string, std::string>, Acc> acc;
  for (std::size_t n = 0; n < nights.size(); ++n) {
    for (const auto& o : nights[n].observations) {
      auto& a = acc[{o.part, o.figure}];
      if (a.values.empty()) {
        a.series = TrendSeries{o.kind, o.part, o.figure, o.unit, {}};
        a.values.resize(nights.size());
      }
      if (o.value && std::isfinite(*o.value)) a.values[n].push_back(*o.value);
    }
  }
  std::vector<TrendSeries> out;
  for (auto& [key, a] : acc) {
    for (std::size_t n = 0; n < nights.size(); ++n) {
      TrendPoint p{nights[n].run_id, nights[n].started_ns, std::nullopt};
      if (!a.values[n].empty()) p.value = median_of(a.values[n]);
      a.series.points.push_back(std::move(p));
    }
    out.push_back(std::move(a.series));
  }
  return out;
}

bool trend_judged(const TrendSeries& s) {
  return s.unit == "Gb/s" || (s.figure.size() >= 4 && s.figure.compare(s.figure.size() - 4, 4, "gbps") == 0);
}

std::vector<Finding> detect_declines(const std::vector<TrendSeries>& series, const TrendOptions& options) {
  std::vector<Finding> out;
  for (const auto& s : series) {
    if (!trend_judged(s)) continue;
    if (auto f = detect_decline(s.kind, s.part, s.figure, s.points, options)) out.push_back(std::move(*f));
  }
  return out;
}

}  // namespace mixnet::coord::health
