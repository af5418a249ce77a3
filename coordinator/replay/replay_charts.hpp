#pragma once
// The two kinds of figure the replay page draws, as inline SVG (no script, no external asset):
// grouped stacked bars (a group per layer, a bar per mode, the bar stacked from parts) and lines
// over layers. Generic over what the parts mean; replay_report_html.cpp fills them from a result.
// Axes and escaping come from the measure reports (coordinator/measure/svg_plot.hpp,
// report_format.hpp). Every bar part is a <rect class="bar" data-mode data-layer data-part>, so a
// reader (or a test) finds each mode's bar of each layer.
#include <string>
#include <utility>
#include <vector>

namespace mixnet::coord::replay::detail {

struct LegendEntry {
  std::string label;
  std::string color;
  double opacity = 1;
};

struct BarPart {
  std::string part;     // data-part: "completion", "reconfiguring", "circuit", "eps"
  double value = 0;     // in the chart's unit, >= 0
  std::string color;
  double opacity = 1;
};

struct StackedBar {
  std::string mode;              // data-mode
  std::vector<BarPart> parts;    // bottom to top
  bool failed = false;           // drawn with a red outline and a cross above it
  std::string tooltip;           // the bar's <title>
};

struct BarGroup {
  std::string layer;             // data-layer and the label under the group
  std::vector<StackedBar> bars;
};

struct BarChart {
  std::string css_class;         // the <svg>'s class, e.g. "layer-times"
  std::string title;
  std::string x_label, y_label;  // with units
  std::vector<BarGroup> groups;
  std::vector<LegendEntry> legend;
};

struct LineSeries {
  std::string mode;                                // data-mode of the <polyline>
  std::string color;
  std::vector<std::pair<double, double>> points;   // (x, y) in the chart's units
  std::vector<bool> failed;                        // per point: marked with a red ring
  std::vector<std::string> tooltips;               // per point, its <title>
};

struct LineChart {
  std::string css_class;
  std::string title;
  std::string x_label, y_label;
  std::vector<LineSeries> series;
  std::vector<LegendEntry> legend;
};

// An <svg> element. A chart with no group (or no point) still gives its <svg>, saying "no layers".
[[nodiscard]] std::string bar_chart_svg(const BarChart& chart);
[[nodiscard]] std::string line_chart_svg(const LineChart& chart);

}  // namespace mixnet::coord::replay::detail
