#pragma once
// Percentiles by the nearest-rank method: the p-th percentile of n values is the value at rank
// ceil(p/100 * n) (1-based) of the sorted values, i.e. the smallest value with at least p% of the
// values at or below it. Always one of the observed values (no interpolation), so p99 of 10
// repetitions is their max: with few repetitions the tail is what it is, not a guess.
#include <cstdint>
#include <optional>
#include <vector>

namespace mixnet::coord::measure {

// `sorted` ascending and non-empty; percent in 1..100 (0 gives the minimum).
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, int percent);

struct Distribution {
  std::uint64_t count = 0;
  std::int64_t min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  double mean = 0;
};

// nullopt for no values.
std::optional<Distribution> summarize(std::vector<std::int64_t> values);

}  // namespace mixnet::coord::measure
