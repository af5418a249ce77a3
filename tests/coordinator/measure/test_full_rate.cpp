#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <vector>

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
  r = line_rule();
  r.window_ns = -1;
  CHECK(validate(r).error().field == "window_ns");
  r.window_ns = 0;
  CHECK(validate(r).has_value());
  r.reference = Reference::settled;
  r.line_rate_gbps = 0;  // the settled reference needs no line rate
  CHECK(validate(r).has_value());
  r.baseline_window_ns = 0;
  CHECK(validate(r).error().field == "baseline_window_ns");
  CHECK(validate(line_rule()).has_value());
}

namespace {

constexpr std::uint64_t kSteadyBin = 125'000;  // 1 Gb/s in a 1 ms bin

// A new circuit in the lab: its stream starts at the command (bin 0), so there is nothing before
// it. Dark for 30 bins (the circuit comes up), half the steady rate for 10 bins (TCP ramps), then
// a bursty steady 1 Gb/s from bin 40 to the end (600 bins): a descheduled sender leaves three
// empty bins, then delivers in two bins of 2.5x each (period 5, mean 1 Gb/s, median 0).
Timeline new_circuit_timeline() {
  Timeline t;
  t.start = coordinator_time(kT0);
  t.bin_ns = kMs;
  t.bytes.assign(600, 0);
  for (int i = 30; i < 40; ++i) t.bytes[i] = kSteadyBin / 2;
  for (int i = 40; i < 600; ++i) t.bytes[i] = (i - 40) % 5 < 3 ? 0 : kSteadyBin * 5 / 2;
  return t;
}

FullRateRule settled_rule() {
  FullRateRule r;
  r.threshold_fraction = 0.9;
  r.hold_ns = 50 * kMs;
  r.window_ns = 10 * kMs;
  r.reference = Reference::settled;
  r.baseline_window_ns = 500 * kMs;
  return r;
}

}  // namespace

TEST_CASE("references have names") {
  for (auto r : {Reference::line, Reference::baseline, Reference::settled}) CHECK(reference_named(to_string(r)) == r);
  CHECK(to_string(Reference::settled) == "settled");
  CHECK_FALSE(reference_named("median").has_value());
  CHECK_FALSE(reference_named("").has_value());
}

TEST_CASE("a settled reference finds a new circuit at full rate with no bins before the command") {
  const auto t = new_circuit_timeline();
  // The stream started at the command: search from it; the settled reference needs no command.
  for (const auto command : {std::optional<std::int64_t>(kT0), std::optional<std::int64_t>()}) {
    auto r = find_full_rate(t, settled_rule(), command, kT0);
    REQUIRE(r.reference_gbps.has_value());
    CHECK(*r.reference_gbps == Approx(1.0));  // the mean of bins 100..599
    CHECK(*r.threshold_gbps == Approx(0.9));
    REQUIRE(r.dip.has_value());
    CHECK(r.dip->ns == kT0);  // the dark start
    REQUIRE(r.at.has_value());
    // The steady state's windows are sustained from bin 40, but 40..42 are the burst pattern's empty
    // bins: the moment is the first bin that carried full rate itself, 43. The ramp is not full rate.
    CHECK(r.at->ns == kT0 + 43 * kMs);
    CHECK(r.at->uncertainty_ns == kMs);       // one bin: the window only judged it sustained
    CHECK(r.missing_reason.empty());
  }

  // Neither of the other references can judge this circuit.
  auto baseline = settled_rule();
  baseline.reference = Reference::baseline;
  auto no_base = find_full_rate(t, baseline, kT0, kT0);
  CHECK_FALSE(no_base.at.has_value());
  CHECK_THAT(no_base.missing_reason, Catch::Contains("baseline"));
}

TEST_CASE("the settled rate is a mean, not a median that bursty bins make 0") {
  auto t = new_circuit_timeline();
  // Three bins in five are empty: a median would be 0, and so would every threshold.
  std::vector<std::uint64_t> last(t.bytes.end() - 500, t.bytes.end());
  std::sort(last.begin(), last.end());
  REQUIRE(last[last.size() / 2] == 0);
  auto r = find_full_rate(t, settled_rule(), kT0, kT0);
  REQUIRE(r.reference_gbps.has_value());
  CHECK(*r.reference_gbps == Approx(1.0));

  // Only the whole bins of the timeline's last window count: 7.5 ms is the last 7 bins (bins
  // 593..599: four delivering bins of 2.5x in 7: 10/7 Gb/s).
  auto rule = settled_rule();
  rule.baseline_window_ns = 7 * kMs + kMs / 2;
  auto short_window = find_full_rate(t, rule, kT0, kT0);
  REQUIRE(short_window.reference_gbps.has_value());
  CHECK(*short_window.reference_gbps == Approx(10.0 / 7.0));

  // A window longer than the timeline takes all of it.
  rule.baseline_window_ns = 10'000 * kMs;
  auto whole = find_full_rate(t, rule, kT0, kT0);
  REQUIRE(whole.reference_gbps.has_value());
  std::uint64_t sum = 0;
  for (auto b : t.bytes) sum += b;
  CHECK(*whole.reference_gbps == Approx(bin_gbps(sum, 600 * kMs)));

  // A window under one bin has no whole bin; a stream that ended carrying nothing has no rate.
  rule.baseline_window_ns = kMs / 2;
  auto none = find_full_rate(t, rule, kT0, kT0);
  CHECK_FALSE(none.reference_gbps.has_value());
  CHECK_FALSE(none.at.has_value());
  CHECK_THAT(none.missing_reason, Catch::Contains("settled rate"));
  auto dead = t;
  for (std::size_t i = 100; i < dead.bytes.size(); ++i) dead.bytes[i] = 0;  // the last 500 bins
  auto zero = find_full_rate(dead, settled_rule(), kT0, kT0);
  CHECK_FALSE(zero.reference_gbps.has_value());
  CHECK_FALSE(zero.at.has_value());
  CHECK_THAT(zero.missing_reason, Catch::Contains("carried nothing"));
}

TEST_CASE("smoothing finds recovery in bursty bins where the per-bin rule fails") {
  // Full rate, dark from bin 100 to 150, then 92% of the line rate on average but never two bins
  // alike: four full bins and one at 60% (period 5), to the end (400 bins).
  Timeline t;
  t.start = coordinator_time(kT0);
  t.bin_ns = kMs;
  t.bytes.assign(400, kFullBin);
  for (int i = 100; i < 150; ++i) t.bytes[i] = 0;
  for (int i = 150; i < 400; ++i)
    if ((i - 150) % 5 == 4) t.bytes[i] = kFullBin * 6 / 10;

  auto per_bin = find_full_rate(t, line_rule(), kT0 + 90 * kMs, kT0 + 100 * kMs);
  CHECK_FALSE(per_bin.at.has_value());
  CHECK_THAT(per_bin.missing_reason, Catch::Contains("did not stay"));

  auto rule = line_rule();
  rule.window_ns = 10 * kMs;
  auto smoothed = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs);
  REQUIRE(smoothed.dip.has_value());
  CHECK(smoothed.dip->ns == kT0 + 100 * kMs);
  CHECK(smoothed.dip->uncertainty_ns == 10 * kMs);
  REQUIRE(smoothed.at.has_value());
  CHECK(smoothed.at->ns == kT0 + 150 * kMs);  // the window from 149 still holds a dark bin
  CHECK(smoothed.at->uncertainty_ns == kMs);   // placed on a bin: one bin, whatever the window

  // A window that is not a whole number of bins is rounded up to one.
  rule.window_ns = 9 * kMs + 1;
  auto rounded = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs);
  REQUIRE(rounded.at.has_value());
  CHECK(rounded.at->ns == kT0 + 150 * kMs);
  CHECK(rounded.at->uncertainty_ns == kMs);

  // A window of one bin (or less) is the per-bin rule.
  const auto outage = outage_timeline();
  const auto plain = find_full_rate(outage, line_rule(), kT0 + 90 * kMs, kT0 + 100 * kMs);
  for (const std::int64_t w : {std::int64_t{1}, kMs / 2, kMs}) {
    rule = line_rule();
    rule.window_ns = w;
    auto one = find_full_rate(outage, rule, kT0 + 90 * kMs, kT0 + 100 * kMs);
    REQUIRE(one.at.has_value());
    CHECK(one.at->ns == plain.at->ns);
    CHECK(one.at->uncertainty_ns == kMs);
  }
}

TEST_CASE("a smoothing window that runs past the end of the timeline is not sustained") {
  // Full, dark from 100 to 150, full from 150 to the end at 200.
  Timeline t;
  t.start = coordinator_time(kT0);
  t.bin_ns = kMs;
  t.bytes.assign(200, kFullBin);
  for (int i = 100; i < 150; ++i) t.bytes[i] = 0;

  auto rule = line_rule();  // hold 50 ms: bins 150..199 exactly
  rule.threshold_fraction = 0.95;  // the window from 149 (one dark bin in ten) is below
  REQUIRE(find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs).at.has_value());

  rule.window_ns = 10 * kMs;  // only bins 150..190 have a whole window: 41 bins
  auto r = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs);
  CHECK_FALSE(r.at.has_value());
  CHECK_THAT(r.missing_reason, Catch::Contains("did not stay"));
  CHECK_THAT(r.missing_reason, Catch::Contains("mean over 10.000 ms"));

  rule.hold_ns = 41 * kMs;
  auto fits = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs);
  REQUIRE(fits.at.has_value());
  CHECK(fits.at->ns == kT0 + 150 * kMs);
  rule.hold_ns = 42 * kMs;
  CHECK_FALSE(find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs).at.has_value());

  // A window longer than the whole timeline never fits; the dip is still seen.
  rule.hold_ns = kMs;
  rule.window_ns = 1'000 * kMs;
  auto huge = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs);
  CHECK(huge.dip.has_value());
  CHECK_FALSE(huge.at.has_value());
}

TEST_CASE("the moment is a bin that carried full rate: never before the first delivered byte or the links up") {
  // Full rate, dark from bin 100 (the carrier loss) to 150; the links come up at 150.4 ms and the
  // stream returns in bin 150 at 120% of the line rate (a catch-up burst), to the end.
  Timeline t;
  t.start = coordinator_time(kT0);
  t.bin_ns = kMs;
  t.bytes.assign(400, kFullBin);
  for (int i = 100; i < 150; ++i) t.bytes[i] = 0;
  for (int i = 150; i < 400; ++i) t.bytes[i] = kFullBin * 12 / 10;
  auto rule = line_rule();
  rule.window_ns = 10 * kMs;
  // The 10-bin mean from bin 148 is 8 x 120% / 10 = 96%: the window from 148 is sustained,
  // though bins 148 and 149 carried nothing. Placing the moment at the window's start would put
  // it 2 ms before the first byte and 2.4 ms before the links came up.
  const std::int64_t links_up = kT0 + 150 * kMs + 400'000;
  auto r = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs, links_up);
  REQUIRE(r.at.has_value());
  CHECK(r.at->ns >= kT0 + 150 * kMs);        // on or after the first delivered byte's bin
  CHECK(r.at->ns == links_up);               // the first full bin began before the links: their up
  CHECK(r.at->uncertainty_ns == kMs);        // about one bin, not the 10 ms window

  // Without a links-up bound, the start of the first full bin.
  auto unbounded = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs);
  REQUIRE(unbounded.at.has_value());
  CHECK(unbounded.at->ns == kT0 + 150 * kMs);

  // A half-rate bin first: the window from 149 (150 at half, 151.. at 120%) is sustained, the moment
  // is the first bin at full rate on its own, 151.
  t.bytes[150] = kFullBin / 2;
  auto half = find_full_rate(t, rule, kT0 + 90 * kMs, kT0 + 100 * kMs, links_up);
  REQUIRE(half.at.has_value());
  CHECK(half.at->ns == kT0 + 151 * kMs);
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
