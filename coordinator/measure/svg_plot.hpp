#pragma once
// Just enough plotting for the report: linear axes with round tick values, written as SVG
// elements. No scripts, no external fonts or styles: the figure is plain markup.
#include <cstdint>
#include <string>
#include <vector>

namespace mixnet::coord::measure::detail {

// A linear map from data to pixels over [lo, hi], with "nice" ticks (1, 2 or 5 x 10^k apart).
struct Axis {
  double lo = 0, hi = 1;
  double px_lo = 0, px_hi = 1;
  [[nodiscard]] double px(double v) const;
  [[nodiscard]] std::vector<double> ticks(int about) const;
};

// Widens [lo, hi] to round tick values and keeps it non-empty.
void nice_range(double& lo, double& hi, int ticks);

std::string fmt_px(double v);       // pixel coordinates: two decimals
std::string fmt_tick(double v);     // tick labels: as few digits as the value needs

}  // namespace mixnet::coord::measure::detail
