#include "coordinator/report/svg_trend.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/report/junit.hpp"   // xml_escape: the one markup escaper

namespace mixnet::coord {
namespace {

constexpr double kWidth = 420;
constexpr double kHeight = 140;
constexpr double kLeft = 64;     // room for the value labels
constexpr double kRight = 12;
constexpr double kTop = 12;
constexpr double kBottom = 26;   // room for the date labels

std::string date_of(std::int64_t ns) { return format_realtime_ns(ns).substr(0, 10); }

std::string value_text(double v, const std::string& unit) {
  return unit.empty() ? fmt::format("{:.4g}", v) : fmt::format("{:.4g} {}", v, unit);
}

}  // namespace

std::string svg_trend_chart(const HistorySeries& series) {
  std::vector<HistoryPoint> points;
  for (const auto& p : series.points) {
    if (std::isfinite(p.value)) points.push_back(p);
  }
  std::stable_sort(points.begin(), points.end(), [](const HistoryPoint& x, const HistoryPoint& y) { return x.at_ns < y.at_ns; });

  const auto label = xml_escape(fmt::format("{} {}", series.part, series.figure));
  std::string svg = fmt::format(
      "<svg class=\"trend-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "role=\"img\" aria-label=\"{2}\"><title>{2}</title>",
      kWidth, kHeight, label);
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;
  svg += fmt::format("<rect class=\"plot\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", kLeft, kTop, plot_w, plot_h);
  if (points.empty()) {
    svg += fmt::format("<text class=\"empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no history</text></svg>", kLeft + plot_w / 2,
                       kTop + plot_h / 2);
    return svg;
  }

  auto [lo_it, hi_it] = std::minmax_element(points.begin(), points.end(), [](const auto& x, const auto& y) { return x.value < y.value; });
  double lo = lo_it->value;
  double hi = hi_it->value;
  if (hi - lo <= 0) {   // a flat series: centre it in a band around its value
    const double half = lo != 0 ? std::abs(lo) * 0.05 : 1.0;
    lo -= half;
    hi += half;
  }
  const auto t0 = points.front().at_ns;
  const auto t1 = points.back().at_ns;
  auto x_of = [&](std::int64_t t) {
    if (t1 == t0) return kLeft + plot_w / 2;
    return kLeft + plot_w * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
  };
  auto y_of = [&](double v) { return kTop + plot_h * (hi - v) / (hi - lo); };

  svg += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", kLeft - 4, kTop + 10,
                     xml_escape(value_text(hi, series.unit)));
  svg += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", kLeft - 4, kTop + plot_h,
                     xml_escape(value_text(lo, series.unit)));
  svg += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"start\">{}</text>", kLeft, kHeight - 8, date_of(t0));
  if (t1 != t0) svg += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", kLeft + plot_w, kHeight - 8, date_of(t1));

  std::string line;
  for (const auto& p : points) line += fmt::format("{}{:.1f},{:.1f}", line.empty() ? "" : " ", x_of(p.at_ns), y_of(p.value));
  svg += fmt::format("<polyline class=\"trend-line\" points=\"{}\"/>", line);
  for (const auto& p : points) {
    svg += fmt::format("<circle class=\"trend-point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\"><title>{}: {}</title></circle>", x_of(p.at_ns),
                       y_of(p.value), date_of(p.at_ns), xml_escape(value_text(p.value, series.unit)));
  }
  return svg + "</svg>";
}

}  // namespace mixnet::coord
