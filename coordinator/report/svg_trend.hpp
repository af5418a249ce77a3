#pragma once
// One trend as an inline SVG line chart (no script, no external reference), for the HTML health
// report: the series' values over time, the lowest and highest value on the left, the first and
// last night below, each point with a tooltip (<title>) giving its date and value.
#include <string>

#include "coordinator/report/health_history.hpp"

namespace mixnet::coord {

// An <svg> element (class "trend-chart"). A series with no finite value still gives an <svg>,
// saying "no history", so every series has its chart.
[[nodiscard]] std::string svg_trend_chart(const HistorySeries& series);

}  // namespace mixnet::coord
