#include <catch2/catch.hpp>

#include "coordinator/measure/full_rate.hpp"
#include "measure_fixtures.hpp"

using namespace mixnet::coord::measure;
using mixnet::coord::measure::testing::kMs;
using mixnet::coord::measure::testing::kT0;

namespace {

constexpr std::uint64_t kFullBin = 1'250'000;  // 10 Gb/s in a 1 ms bin

// 10 Gb/s for 100 bins, dark for 50, half rate for 5, a 10-bin burst at full rate, dark for 5,
// then full rate from bin 170 to the end (400 bins).
Timeline outage_timeline() {
  Timeline t;
  t.start = coordinator_time(kT0);
  t.bin_ns = kMs;
  t.bytes.assign(400, kFullBin);
  for (int i = 100; i < 150; ++i) t.bytes[i] = 0;
  for (int i = 150; i < 155; ++i) t.bytes[i] = kFullBin / 2;
  for (int i = 165; i < 170; ++i) t.bytes[i] = 0;
  return t;
}

FullRateRule line_rule() {
  FullRateRule r;
  r.threshold_fraction = 0.9;
  r.hold_ns = 50 * kMs;
  r.reference = Reference::line;
  r.line_rate_gbps = 10.0;
  return r;
}

}  // namespace

TEST_CASE("bin rates are bits per nanosecond") {
  CHECK(bin_gbps(kFullBin, kMs) == Approx(10.0));
  CHECK(bin_gbps(0, kMs) == 0.0);
}

TEST_CASE("full rate is the first bin after the dip that holds the threshold for the hold window") {
  const auto t = outage_timeline();
  auto r = find_full_rate(t, line_rule(), kT0 + 90 * kMs, kT0 + 100 * kMs + 300'000);
  REQUIRE(r.at.has_value());
  CHECK(r.at->ns == kT0 + 170 * kMs);  // the 10-bin burst at 155 is too short to count
  CHECK(r.at->uncertainty_ns == kMs);  // one bin
  REQUIRE(r.dip.has_value());
  CHECK(r.dip->ns == kT0 + 100 * kMs);
  CHECK(*r.reference_gbps == Approx(10.0));
  CHECK(*r.threshold_gbps == Approx(9.0));

  // A shorter hold window lets the burst count.
  auto rule = line_rule();
  rule.hold_ns = 10 * kMs;
  auto early = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs);
  REQUIRE(early.at.has_value());
  CHECK(early.at->ns == kT0 + 155 * kMs);
}

TEST_CASE("a baseline reference is the median rate before the command") {
  auto t = outage_timeline();
  for (int i = 0; i < 100; ++i) t.bytes[i] = kFullBin / 2;  // 5 Gb/s before the command
  auto rule = line_rule();
  rule.reference = Reference::baseline;
  rule.baseline_window_ns = 50 * kMs;
  rule.hold_ns = 10 * kMs;  // the 15 half-rate-or-better bins from 150 hold long enough
  auto r = find_full_rate(t, rule, kT0 + 100 * kMs, kT0 + 100 * kMs);
  REQUIRE(r.reference_gbps.has_value());
  CHECK(*r.reference_gbps == Approx(5.0));
  REQUIRE(r.at.has_value());
  CHECK(r.at->ns == kT0 + 150 * kMs);  // half rate is full rate against a 5 Gb/s baseline
}

TEST_CASE("full rate that never holds, or an outage never seen, is missing with a reason") {
  auto t = outage_timeline();
  t.bytes.resize(190);  // ends 20 bins into the recovery
  auto r = find_full_rate(t, line_rule(), kT0 + 90 * kMs, kT0 + 100 * kMs);
  CHECK_FALSE(r.at.has_value());
  CHECK_THAT(r.missing_reason, Catch::Contains("did not stay"));

  Timeline flat;
  flat.start = coordinator_time(kT0);
  flat.bytes.assign(300, kFullBin);
  auto none = find_full_rate(flat, line_rule(), kT0, kT0);
  CHECK_FALSE(none.at.has_value());
  CHECK_THAT(none.missing_reason, Catch::Contains("no outage"));

  auto rule = line_rule();
  rule.reference = Reference::baseline;
  auto no_base = find_full_rate(outage_timeline(), rule, kT0, kT0 + 100 * kMs);  // nothing before the command
  CHECK_FALSE(no_base.at.has_value());
  CHECK_THAT(no_base.missing_reason, Catch::Contains("baseline"));

  auto no_anchor = find_full_rate(outage_timeline(), line_rule(), std::nullopt, std::nullopt);
  CHECK_FALSE(no_anchor.at.has_value());
}

TEST_CASE("full-rate rules are validated naming the field") {
  auto r = line_rule();
  r.threshold_fraction = 1.5;
  CHECK(validate(r).error().field == "threshold_fraction");
  r = line_rule();
  r.line_rate_gbps = 0;
  CHECK(validate(r).error().field == "line_rate_gbps");
  r = line_rule();
  r.hold_ns = 0;
  CHECK(validate(r).error().field == "hold_ns");
  CHECK(validate(line_rule()).has_value());
}

TEST_CASE("an agent timeline moves onto the coordinator's clock with the clock's uncertainty") {
  ClockOffset clock;
  clock.clock = "agent:h2";
  clock.offset_ns = 3 * kMs;
  clock.uncertainty_ns = 25'000;
  const auto t = align_timeline(clock, kT0 + 3 * kMs, kMs, {1, 2, 3});
  CHECK(t.start.ns == kT0);
  CHECK(t.start.uncertainty_ns == 25'000);
  CHECK(t.start.clock_uncertainty_ns == 25'000);
  CHECK(t.start.clock == "agent:h2");
  CHECK(t.bytes.size() == 3);
}
