// Trends: a slow decline over several nights is flagged while each night would still pass; a
// steady, a noisy-but-flat series and one bad night are not.
#include <catch2/catch.hpp>

#include "coordinator/health/trend.hpp"

using namespace mixnet::coord::health;

namespace {

std::vector<TrendPoint> series(const std::vector<std::optional<double>>& values) {
  std::vector<TrendPoint> out;
  for (std::size_t i = 0; i < values.size(); ++i) out.push_back(TrendPoint{"r" + std::to_string(i), static_cast<std::int64_t>(i + 1) * 86'400'000'000'000, values[i]});
  return out;
}

std::optional<Finding> decline(const std::vector<std::optional<double>>& values, TrendOptions options = {}) {
  return detect_decline(PartKind::port, "h1:ocs0", "bandwidth_gbps", series(values), options);
}

}  // namespace

TEST_CASE("a steady series is no decline") {
  CHECK_FALSE(decline({9.4, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4}));
  const auto fit = fit_trend(series({9.4, 9.4, 9.4, 9.4, 9.4}), {});
  REQUIRE(fit);
  CHECK(fit->slope_per_night == 0);
  CHECK(fit->change_percent == 0);
}

TEST_CASE("a noisy but flat series is no decline") {
  // +-1.5% around 9.4, no direction.
  CHECK_FALSE(decline({9.40, 9.28, 9.52, 9.31, 9.49, 9.35, 9.45}));
  CHECK_FALSE(decline({9.50, 9.30, 9.45, 9.28, 9.52, 9.33, 9.41}));
}

TEST_CASE("a slow decline is flagged as a warning although every night is within 5% of the first") {
  // 0.8% a night: each night within 5% of the previous week's median, 4.8% over seven nights.
  const auto f = decline({9.40, 9.33, 9.25, 9.18, 9.10, 9.03, 8.95});
  REQUIRE(f);
  CHECK(f->severity == Severity::warning);
  CHECK(f->rule == "trend");
  CHECK(f->part == "h1:ocs0");
  CHECK(f->reference == Approx(9.40).epsilon(0.01));
  CHECK(f->value == Approx(8.95).epsilon(0.01));
  CHECK(f->message.find("fell 4.") != std::string::npos);
  // The threshold is the option's: 5% is not crossed.
  CHECK_FALSE(decline({9.40, 9.33, 9.25, 9.18, 9.10, 9.03, 8.95}, TrendOptions{.decline_percent = 5.0}));
  // Noisy decline is still found.
  CHECK(decline({9.40, 9.41, 9.22, 9.25, 9.05, 9.08, 8.90}));
}

TEST_CASE("one bad night is not a trend (the night's own rules judge it)") {
  CHECK_FALSE(decline({9.4, 9.4, 9.4, 9.4, 9.4, 9.4, 3.1}));
  CHECK_FALSE(decline({9.4, 9.4, 9.4, 3.1, 9.4, 9.4, 9.4}));
  CHECK_FALSE(decline({3.1, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4}));
}

TEST_CASE("too few nights give no judgement, missing nights are skipped, only the last N nights count") {
  CHECK_FALSE(fit_trend(series({9.4, 9.0, 8.6}), {}));
  CHECK_FALSE(decline({9.4, 9.0, 8.6}));
  CHECK(decline({9.4, std::nullopt, 9.0, std::nullopt, 8.6, 8.2}));
  // A decline long ago, then flat for the last 7 nights: nothing now.
  CHECK_FALSE(decline({12.0, 11.0, 10.0, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4}));
  // Counters: a rise is the decline when lower is better.
  CHECK(decline({10, 12, 14, 16, 18}, TrendOptions{.higher_is_better = false}));
}

TEST_CASE("series are built per part and figure across nights, with a night's retests as their median") {
  std::vector<RunObservations> nights(3);
  for (int n = 0; n < 3; ++n) {
    nights[static_cast<std::size_t>(n)].run_id = "r" + std::to_string(n);
    nights[static_cast<std::size_t>(n)].started_ns = n + 1;
  }
  auto o = [](std::string part, std::string figure, std::optional<double> v, std::string unit) {
    Observation x;
    x.part = std::move(part);
    x.figure = std::move(figure);
    x.value = v;
    x.unit = std::move(unit);
    return x;
  };
  nights[0].observations = {o("h1:ocs0", "bandwidth_gbps", 9.4, "Gb/s"), o("h1:ocs0", "symbol_error", 0, "count")};
  nights[1].observations = {o("h1:ocs0", "bandwidth_gbps", 3.0, "Gb/s"), o("h1:ocs0", "bandwidth_gbps", 9.0, "Gb/s"), o("h1:ocs0", "bandwidth_gbps", 9.2, "Gb/s")};
  nights[2].observations = {o("h1:ocs0", "bandwidth_gbps", std::nullopt, "Gb/s")};
  const auto s = series_of(nights);
  REQUIRE(s.size() == 2);
  CHECK(s[0].figure == "bandwidth_gbps");
  REQUIRE(s[0].points.size() == 3);
  CHECK(s[0].points[1].value == 9.0);
  CHECK_FALSE(s[0].points[2].value);
  CHECK(trend_judged(s[0]));
  CHECK(s[1].figure == "symbol_error");
  CHECK_FALSE(s[1].points[1].value);
  CHECK_FALSE(trend_judged(s[1]));
}
