#include "coordinator/replay/replay_charts.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "coordinator/measure/report_format.hpp"
#include "coordinator/measure/svg_plot.hpp"

namespace mixnet::coord::replay::detail {

using measure::detail::Axis;
using measure::detail::fmt_px;
using measure::detail::fmt_tick;
using measure::detail::xml_escape;

namespace {

constexpr double kChartHeight = 300;
constexpr double kChartLeft = 62;     // room for the value labels and the rotated unit
constexpr double kChartRight = 16;
constexpr double kChartTop = 34;      // room for the legend
constexpr double kChartBottom = 44;   // room for the layer labels and the x unit
constexpr double kMinChartWidth = 720;
constexpr double kBarWidth = 12;
constexpr double kGroupGap = 10;
constexpr std::size_t kMostLayerLabels = 30;   // beyond, every k-th layer is labelled

// [0, the largest value], widened to round ticks; never empty.
Axis value_axis(double largest) {
  double lo = 0, hi = std::isfinite(largest) && largest > 0 ? largest : 1;
  measure::detail::nice_range(lo, hi, 5);
  return Axis{0, hi, kChartHeight - kChartBottom, kChartTop};
}

std::string svg_open(std::string_view css_class, std::string_view title, double width) {
  return fmt::format(
      "<svg class=\"{0}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{1}\" height=\"{2}\" viewBox=\"0 0 {1} {2}\" role=\"img\" "
      "aria-label=\"{3}\"><title>{3}</title>",
      xml_escape(css_class), fmt_px(width), fmt_px(kChartHeight), xml_escape(title));
}

std::string legend_svg(const std::vector<LegendEntry>& legend) {
  std::string out;
  double x = kChartLeft;
  for (const auto& e : legend) {
    out += fmt::format("<g class=\"legend\"><rect x=\"{}\" y=\"8\" width=\"10\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>", fmt_px(x),
                       xml_escape(e.color), e.opacity);
    out += fmt::format("<text x=\"{}\" y=\"17\">{}</text></g>", fmt_px(x + 14), xml_escape(e.label));
    x += 26 + 6.0 * static_cast<double>(e.label.size());   // about a 10px sans-serif character each
  }
  return out;
}

// The value axis on the left (grid, ticks, rotated unit) and the x unit under the plot.
std::string frame_svg(const Axis& y, double width, std::string_view x_label, std::string_view y_label) {
  const double right = width - kChartRight;
  std::string out;
  for (double v : y.ticks(5)) {
    const auto py = fmt_px(y.px(v));
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#eee\"/>", fmt_px(kChartLeft), py, fmt_px(right));
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", fmt_px(kChartLeft - 4), fmt_px(y.px(v) + 3), fmt_tick(v));
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#444\"/>", fmt_px(kChartLeft), fmt_px(y.px_lo), fmt_px(right));
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444\"/>", fmt_px(kChartLeft), fmt_px(y.px_lo), fmt_px(y.px_hi));
  out += fmt::format("<text class=\"x-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", fmt_px((kChartLeft + right) / 2),
                     fmt_px(kChartHeight - 6), xml_escape(x_label));
  out += fmt::format("<text class=\"y-label\" x=\"14\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {0})\">{1}</text>",
                     fmt_px((y.px_lo + y.px_hi) / 2), xml_escape(y_label));
  return out;
}

std::string no_layers_svg(double width) {
  return fmt::format("<text class=\"empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no layers</text></svg>", fmt_px(width / 2),
                     fmt_px(kChartHeight / 2));
}

double bar_height(const StackedBar& bar) {
  double sum = 0;
  for (const auto& p : bar.parts) sum += std::max(p.value, 0.0);
  return sum;
}

}  // namespace

std::string bar_chart_svg(const BarChart& chart) {
  std::size_t most_bars = 1;
  double largest = 0;
  for (const auto& g : chart.groups) {
    most_bars = std::max(most_bars, g.bars.size());
    for (const auto& b : g.bars) largest = std::max(largest, bar_height(b));
  }
  const double group_width = static_cast<double>(most_bars) * kBarWidth + kGroupGap;
  const double width = std::max(kMinChartWidth, kChartLeft + kChartRight + group_width * static_cast<double>(chart.groups.size()));
  std::string out = svg_open(chart.css_class, chart.title, width) + legend_svg(chart.legend);
  if (chart.groups.empty()) return out + no_layers_svg(width);
  const Axis y = value_axis(largest);
  out += frame_svg(y, width, chart.x_label, chart.y_label);
  // Groups spread over the plot's width; bars of a group side by side in its middle.
  const double slot = (width - kChartLeft - kChartRight) / static_cast<double>(chart.groups.size());
  const std::size_t label_every = (chart.groups.size() + kMostLayerLabels - 1) / kMostLayerLabels;
  for (std::size_t gi = 0; gi < chart.groups.size(); ++gi) {
    const auto& g = chart.groups[gi];
    const double centre = kChartLeft + slot * (static_cast<double>(gi) + 0.5);
    double x = centre - static_cast<double>(g.bars.size()) * kBarWidth / 2;
    for (const auto& b : g.bars) {
      double base = 0;
      for (const auto& p : b.parts) {
        const double v = std::max(p.value, 0.0);
        const double top = y.px(base + v), bottom = y.px(base);
        out += fmt::format(
            "<rect class=\"bar\" data-mode=\"{}\" data-layer=\"{}\" data-part=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
            "fill=\"{}\" fill-opacity=\"{}\"><title>{}</title></rect>",
            xml_escape(b.mode), xml_escape(g.layer), xml_escape(p.part), fmt_px(x), fmt_px(top), fmt_px(kBarWidth - 1),
            fmt_px(bottom - top), xml_escape(p.color), p.opacity, xml_escape(b.tooltip));
        base += v;
      }
      if (b.failed) {
        const double top = y.px(base);
        out += fmt::format(
            "<rect class=\"failed-outline\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#a01010\" "
            "stroke-width=\"1.5\"/>",
            fmt_px(x), fmt_px(top), fmt_px(kBarWidth - 1), fmt_px(y.px(0) - top));
        out += fmt::format(
            "<text class=\"failed-mark\" data-mode=\"{}\" data-layer=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#a01010\">x"
            "<title>{}</title></text>",
            xml_escape(b.mode), xml_escape(g.layer), fmt_px(x + (kBarWidth - 1) / 2), fmt_px(top - 3), xml_escape(b.tooltip));
      }
      x += kBarWidth;
    }
    if (gi % label_every == 0) {
      out += fmt::format("<text class=\"layer-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", fmt_px(centre),
                         fmt_px(y.px_lo + 13), xml_escape(g.layer));
    }
  }
  return out + "</svg>";
}

std::string line_chart_svg(const LineChart& chart) {
  double x_hi = 0, largest = 0;
  bool any = false;
  for (const auto& s : chart.series) {
    for (const auto& [px, py] : s.points) {
      x_hi = std::max(x_hi, px);
      largest = std::max(largest, py);
      any = true;
    }
  }
  const double width = kMinChartWidth;
  std::string out = svg_open(chart.css_class, chart.title, width) + legend_svg(chart.legend);
  if (!any) return out + no_layers_svg(width);
  const Axis y = value_axis(largest);
  out += frame_svg(y, width, chart.x_label, chart.y_label);
  const Axis x{0, x_hi > 0 ? x_hi : 1, kChartLeft, width - kChartRight};
  // Whole layers only: at most ten ticks, at least one layer apart.
  const int about = static_cast<int>(std::clamp(x.hi, 1.0, 10.0));
  for (double v : x.ticks(about)) {
    if (std::abs(v - std::round(v)) > 1e-9) continue;
    out += fmt::format("<text class=\"layer-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", fmt_px(x.px(v)),
                       fmt_px(y.px_lo + 13), fmt_tick(v));
  }
  for (const auto& s : chart.series) {
    std::string points;
    for (const auto& [px, py] : s.points) points += fmt::format("{}{},{}", points.empty() ? "" : " ", fmt_px(x.px(px)), fmt_px(y.px(py)));
    out += fmt::format("<polyline class=\"line\" data-mode=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>",
                       xml_escape(s.mode), points, xml_escape(s.color));
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const bool failed = i < s.failed.size() && s.failed[i];
      const auto& [px, py] = s.points[i];
      const auto tooltip = i < s.tooltips.size() ? s.tooltips[i] : fmt::format("{}: {}, {}", s.mode, fmt_tick(px), fmt_tick(py));
      out += fmt::format(
          "<circle class=\"{}\" data-mode=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"{}\"><title>{}</title></circle>",
          failed ? "point failed" : "point", xml_escape(s.mode), fmt_px(x.px(px)), fmt_px(y.px(py)), failed ? 4 : 2.5, xml_escape(s.color),
          failed ? "#a01010" : "none", xml_escape(tooltip));
    }
  }
  return out + "</svg>";
}

}  // namespace mixnet::coord::replay::detail
