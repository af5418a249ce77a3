#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "coordinator/measure/clock_alignment.hpp"
#include "measure_fixtures.hpp"

using namespace mixnet::coord::measure;
using mixnet::coord::measure::testing::kT0;

namespace {

// A round trip with forward delay `up` and return delay `down`, to an agent `offset` ahead.
ClockSample round_trip(std::int64_t t_send, std::int64_t up, std::int64_t down, std::int64_t offset) {
  return ClockSample{t_send, t_send + up + offset, t_send + up + down};
}

}  // namespace

TEST_CASE("clock offset comes from the shortest round trip and its uncertainty covers the truth") {
  const std::int64_t offset = 123'456'789;  // the agent runs 123 ms ahead
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::int64_t> delay(20'000, 900'000);
  std::vector<ClockSample> samples;
  std::int64_t best_rtt = INT64_MAX;
  for (int i = 0; i < 16; ++i) {
    const auto up = delay(rng), down = delay(rng) * 3;  // strongly asymmetric paths
    samples.push_back(round_trip(kT0 + i * 10'000'000, up, down, offset));
    best_rtt = std::min(best_rtt, up + down);
  }
  auto est = estimate_offset("agent:h1", samples);
  REQUIRE(est.has_value());
  CHECK(est->clock == "agent:h1");
  CHECK(est->samples == 16);
  CHECK(est->best_rtt_ns == best_rtt);
  CHECK(est->uncertainty_ns == (best_rtt + 1) / 2);
  CHECK(std::llabs(est->offset_ns - offset) <= est->uncertainty_ns);
  CHECK(est->consistent);

  // An agent stamp lands on the coordinator's clock within the stated uncertainty.
  const std::int64_t true_local = kT0 + 5'000'000'000;
  const auto t = align(*est, true_local + offset, 1000);
  CHECK(std::llabs(t.ns - true_local) <= t.uncertainty_ns);
  CHECK(t.uncertainty_ns == est->uncertainty_ns + 1000);
  CHECK(t.clock_uncertainty_ns == est->uncertainty_ns);
  CHECK(t.clock == "agent:h1");
  // The bare number (for callers holding only the offset's value) is the same moment.
  CHECK(align_ns(est->offset_ns, true_local + offset) == t.ns);
}

TEST_CASE("the worst asymmetry (all delay one way) still sits on the uncertainty bound") {
  const std::int64_t offset = -7'000'001;
  for (auto [up, down] : {std::pair<std::int64_t, std::int64_t>{0, 400'001}, {400'001, 0}}) {
    std::vector<ClockSample> samples{round_trip(kT0, up, down, offset), round_trip(kT0 + 1'000'000, 300'000, 900'000, offset)};
    auto est = estimate_offset("agent:h2", samples);
    REQUIRE(est.has_value());
    CHECK(est->best_rtt_ns == 400'001);
    CHECK(std::llabs(est->offset_ns - offset) <= est->uncertainty_ns);
    CHECK(est->uncertainty_ns == 200'001);
  }
}

TEST_CASE("a clock step while sampling shows as inconsistent samples") {
  std::vector<ClockSample> samples{round_trip(kT0, 50'000, 50'000, 0), round_trip(kT0 + 1'000'000, 50'000, 50'000, 10'000'000)};
  auto est = estimate_offset("agent:h1", samples);
  REQUIRE(est.has_value());
  CHECK_FALSE(est->consistent);
}

TEST_CASE("bad clock samples are refused naming the field") {
  CHECK(estimate_offset("agent:h1", std::vector<ClockSample>{}).error().field == "samples");
  std::vector<ClockSample> samples{round_trip(kT0, 1, 1, 0), ClockSample{kT0 + 10, kT0 + 10, kT0 + 5}};
  auto est = estimate_offset("agent:h1", samples);
  REQUIRE_FALSE(est.has_value());
  CHECK(est.error().field == "samples[1].t_recv_ns");
  CHECK(est.error().code == mixnet::Errc::invalid_argument);
}

TEST_CASE("a running best sample gives the offset estimate_offset gives for all the samples") {
  const std::int64_t offset = -42'000'000;
  std::vector<ClockSample> samples = {round_trip(kT0, 300'000, 500'000, offset), round_trip(kT0 + 1'000'000, 40'000, 90'000, offset),
                                      round_trip(kT0 + 2'000'000, 200'000, 100'000, offset)};
  BestClockSample best;
  CHECK_FALSE(best.offset("agent:h1").has_value());
  for (const auto& s : samples) best.add(s);
  const auto running = best.offset("agent:h1");
  const auto all = estimate_offset("agent:h1", samples);
  REQUIRE(running.has_value());
  REQUIRE(all.has_value());
  CHECK(running->offset_ns == all->offset_ns);
  CHECK(running->uncertainty_ns == all->uncertainty_ns);
  CHECK(running->best_rtt_ns == 130'000);
}

TEST_CASE("an offset moved between two estimates only when the move exceeds both uncertainties") {
  ClockOffset before{.clock = "agent:h1", .offset_ns = 1'000'000, .uncertainty_ns = 50'000};
  ClockOffset after = before;
  after.uncertainty_ns = 30'000;
  after.offset_ns = before.offset_ns + 80'000;   // exactly both uncertainties: still the same clock
  CHECK(drift_between(before, after).ns == 80'000);
  CHECK_FALSE(drift_between(before, after).moved);
  after.offset_ns = before.offset_ns - 80'001;
  CHECK(drift_between(before, after).ns == -80'001);
  CHECK(drift_between(before, after).moved);
}
