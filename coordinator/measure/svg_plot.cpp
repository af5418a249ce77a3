#include "coordinator/measure/svg_plot.hpp"

#include <cmath>

#include <fmt/format.h>

namespace mixnet::coord::measure::detail {

namespace {

double nice_step(double range, int ticks) {
  const double raw = range / std::max(ticks, 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

}  // namespace

double Axis::px(double v) const { return hi == lo ? px_lo : px_lo + (v - lo) / (hi - lo) * (px_hi - px_lo); }

std::vector<double> Axis::ticks(int about) const {
  std::vector<double> out;
  if (!(hi > lo)) return {lo};
  const double step = nice_step(hi - lo, about);
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9 && out.size() < 50; v += step)
    out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return out;
}

void nice_range(double& lo, double& hi, int ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi - lo < 1e-9) {
    const double pad = std::max(std::abs(lo) * 0.05, 0.001);
    lo -= pad;
    hi += pad;
  }
  const double step = nice_step(hi - lo, ticks);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
}

std::string fmt_px(double v) { return fmt::format("{:.2f}", v); }

std::string fmt_tick(double v) {
  auto s = fmt::format("{:.6f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

}  // namespace mixnet::coord::measure::detail
