#include <catch2/catch.hpp>

#include <numeric>
#include <vector>

#include "coordinator/measure/percentile.hpp"

using namespace mixnet::coord::measure;

TEST_CASE("nearest-rank percentiles on a textbook set") {
  // The usual worked example: 15, 20, 35, 40, 50.
  const std::vector<std::int64_t> v{15, 20, 35, 40, 50};
  CHECK(nearest_rank(v, 5) == 15);
  CHECK(nearest_rank(v, 30) == 20);
  CHECK(nearest_rank(v, 40) == 20);
  CHECK(nearest_rank(v, 50) == 35);
  CHECK(nearest_rank(v, 100) == 50);
  CHECK(nearest_rank(v, 0) == 15);
}

TEST_CASE("nearest-rank percentiles of 1..10 and 1..100") {
  std::vector<std::int64_t> ten(10), hundred(100);
  std::iota(ten.begin(), ten.end(), 1);
  std::iota(hundred.begin(), hundred.end(), 1);
  auto d10 = summarize(ten);
  REQUIRE(d10);
  CHECK(d10->count == 10);
  CHECK(d10->p50 == 5);   // rank ceil(5) = 5
  CHECK(d10->p90 == 9);
  CHECK(d10->p99 == 10);  // with 10 values, p99 is the max
  CHECK(d10->min == 1);
  CHECK(d10->max == 10);
  CHECK(d10->mean == Approx(5.5));
  auto d100 = summarize(hundred);
  REQUIRE(d100);
  CHECK(d100->p50 == 50);
  CHECK(d100->p90 == 90);
  CHECK(d100->p99 == 99);
  CHECK(d100->max == 100);
}

TEST_CASE("summaries sort their input and take no values as none") {
  auto d = summarize({30, -10, 20, 10});
  REQUIRE(d);
  CHECK(d->min == -10);
  CHECK(d->p50 == 10);
  CHECK(d->max == 30);
  CHECK_FALSE(summarize({}).has_value());
  auto one = summarize({7});
  REQUIRE(one);
  CHECK(one->p50 == 7);
  CHECK(one->p99 == 7);
}
