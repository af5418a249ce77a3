#include "coordinator/measure/percentile.hpp"

#include <algorithm>
#include <numeric>

namespace mixnet::coord::measure {

std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, int percent) {
  const auto n = sorted.size();
  const auto p = static_cast<std::size_t>(std::clamp(percent, 0, 100));
  // ceil(p * n / 100) in integers: no floating-point edge at exact ranks (p50 of 10 is rank 5).
  const auto rank = std::max<std::size_t>(1, (p * n + 99) / 100);
  return sorted[rank - 1];
}

std::optional<Distribution> summarize(std::vector<std::int64_t> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  Distribution d;
  d.count = values.size();
  d.min = values.front();
  d.max = values.back();
  d.p50 = nearest_rank(values, 50);
  d.p90 = nearest_rank(values, 90);
  d.p99 = nearest_rank(values, 99);
  long double sum = 0;
  for (auto v : values) sum += static_cast<long double>(v);
  d.mean = static_cast<double>(sum / static_cast<long double>(values.size()));
  return d;
}

}  // namespace mixnet::coord::measure
