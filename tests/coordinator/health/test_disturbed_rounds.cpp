#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "coordinator/health/disturbed_rounds.hpp"

using mixnet::coord::health::disturbed_rounds;
using mixnet::coord::health::RoundFigure;

namespace {

// `rounds` rounds of `per_round` tests at `gbps`, then the given rounds' tests at `slow`.
std::vector<RoundFigure> rounds_of(std::size_t rounds, std::size_t per_round, double gbps, const std::map<std::size_t, double>& slow = {}) {
  std::vector<RoundFigure> out;
  for (std::size_t r = 1; r <= rounds; ++r) {
    for (std::size_t t = 0; t < per_round; ++t) {
      const auto s = slow.find(r);
      out.push_back({.round = r, .gbps = s != slow.end() ? s->second : gbps + 0.01 * static_cast<double>(t)});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a round whose every test fell together is disturbed, and its neighbours are not", "[health][disturbed]") {
  const auto d = disturbed_rounds(rounds_of(10, 8, 0.5, {{4, 0.18}, {7, 0.2}}), 0.5, 2);
  REQUIRE(d.size() == 2);
  CHECK(d[0].round == 4);
  CHECK(d[0].median_gbps == Approx(0.18));
  CHECK(d[0].others_gbps == Approx(0.535).margin(0.02));
  CHECK(d[1].round == 7);
}

TEST_CASE("one or two slow tests in a round are a port's or a host's, not the round's", "[health][disturbed]") {
  auto figures = rounds_of(6, 32, 0.5);
  figures[40].gbps = 0.01;   // round 2: one crippled port's test
  figures[41].gbps = 0.02;   // and its host's other port
  CHECK(disturbed_rounds(figures, 0.5, 2).empty());
}

TEST_CASE("a round with a share of its tests slow at once is disturbed though its median held", "[health][disturbed]") {
  auto figures = rounds_of(6, 32, 0.5);
  for (std::size_t t = 64; t < 64 + 12; ++t) figures[t].gbps = 0.2;   // round 3: 12 of 32 slow
  const auto d = disturbed_rounds(figures, 0.5, 2);
  REQUIRE(d.size() == 1);
  CHECK(d[0].round == 3);
  CHECK(d[0].slow == 12);
  CHECK(d[0].tests == 32);
  CHECK(d[0].median_gbps > 0.25);   // the median alone would not have said so
  // Three slow tests of a four-test round: both conditions; two of a 32-test round: neither.
  auto small = rounds_of(4, 4, 0.5);
  for (std::size_t t = 4; t < 7; ++t) small[t].gbps = 0.1;
  CHECK(disturbed_rounds(small, 0.5, 2).size() == 1);
}

TEST_CASE("a round is judged only against enough other figures, and never alone", "[health][disturbed]") {
  CHECK(disturbed_rounds(rounds_of(1, 32, 0.1), 0.5, 2).empty());              // nothing to compare with
  CHECK(disturbed_rounds(rounds_of(2, 1, 0.5, {{2, 0.01}}), 0.5, 2).empty());  // one test a round: too few
  // Tests without a figure neither count nor make a round look slow.
  auto figures = rounds_of(4, 4, 0.5);
  for (auto& f : figures) {
    if (f.round == 3) f.gbps.reset();
  }
  CHECK(disturbed_rounds(figures, 0.5, 2).empty());
}

TEST_CASE("a round just above the fraction of the others is not disturbed", "[health][disturbed]") {
  const auto figures = rounds_of(5, 4, 1.0, {{5, 0.52}});
  CHECK(disturbed_rounds(figures, 0.5, 2).empty());
  CHECK(disturbed_rounds(figures, 0.6, 2).size() == 1);
}
