// Stage 1 of cabling discovery on hand-made power sweeps: the codes and round counts, which input
// shows which NIC's code, and every way a sweep can say something else (unlit NICs, inputs lit in
// every round, patterns no NIC has, a code at two inputs, readings close to the threshold).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <set>

#include "coordinator/cabling/input_sweep.hpp"

using namespace mixnet;
using namespace mixnet::coord::cabling;

namespace {

constexpr double kSweepThreshold = -40.0;
constexpr double kSweepLit = -3.0;
constexpr double kSweepDark = -60.0;

// Sweeps where each listed port shows `pattern` (bit r: lit in round r) and every other port of
// 1..ports is dark.
std::vector<PowerSweep> sweeps_showing(int rounds, int ports, const std::map<SwitchPort, std::uint32_t>& patterns) {
  std::vector<PowerSweep> sweeps(static_cast<std::size_t>(rounds));
  for (int r = 0; r < rounds; ++r) {
    for (int p = 1; p <= ports; ++p) {
      const auto it = patterns.find(std::to_string(p));
      const bool lit = it != patterns.end() && ((it->second >> r) & 1U) != 0;
      sweeps[static_cast<std::size_t>(r)][std::to_string(p)] = lit ? kSweepLit : kSweepDark;
    }
  }
  return sweeps;
}

}  // namespace

TEST_CASE("plan_input_sweep: the fewest rounds (at least 2) whose codes leave out 0 and all ones", "[coord][cabling][input]") {
  const std::map<int, int> rounds_for = {{1, 2}, {2, 2}, {3, 3}, {6, 3}, {7, 4}, {14, 4}, {15, 5},
                                         {48, 6}, {62, 6}, {63, 7}, {96, 7}, {192, 8}};
  for (const auto& [nics, rounds] : rounds_for) {
    auto plan = plan_input_sweep(nics);
    REQUIRE(plan);
    CHECK(plan->rounds == rounds);
    REQUIRE(plan->codes.size() == static_cast<std::size_t>(nics));
    const std::set<std::uint32_t> distinct(plan->codes.begin(), plan->codes.end());
    CHECK(distinct.size() == plan->codes.size());
    for (const auto c : plan->codes) {
      CHECK(c != 0);
      CHECK(c != (1U << rounds) - 1);
    }
  }
}

TEST_CASE("plan_input_sweep: a NIC transmits in the rounds whose bit its code has", "[coord][cabling][input]") {
  auto plan = plan_input_sweep(3);   // codes 1, 2, 3 in 3 rounds
  REQUIRE(plan);
  CHECK(plan->transmitters(0) == std::vector<NicIndex>{0, 2});
  CHECK(plan->transmitters(1) == std::vector<NicIndex>{1, 2});
  CHECK(plan->transmitters(2).empty());
  CHECK(plan->transmits(2, 0));
  CHECK_FALSE(plan->transmits(0, 1));
  CHECK_FALSE(plan->transmits(7, 0));   // no such NIC
}

TEST_CASE("plan_input_sweep: a NIC count out of range names the field", "[coord][cabling][input]") {
  for (const int bad : {0, -1, (1 << 20) + 1}) {
    auto plan = plan_input_sweep(bad);
    REQUIRE_FALSE(plan);
    CHECK(plan.error().code == Errc::invalid_argument);
    CHECK(plan.error().field == "nic_count");
  }
}

TEST_CASE("decode_input_sweep: one NIC, found at the input that shows its code", "[coord][cabling][input]") {
  auto plan = plan_input_sweep(1);
  REQUIRE(plan);
  auto result = decode_input_sweep(*plan, sweeps_showing(2, 4, {{"3", 1U}}), kSweepThreshold);
  REQUIRE(result);
  CHECK(result->found == std::map<NicIndex, SwitchPort>{{0, "3"}});
  CHECK(result->unlit.empty());
  CHECK(result->always_lit.empty());
  CHECK(result->unexplained.empty());
  CHECK(result->ambiguous.empty());
}

TEST_CASE("decode_input_sweep: two NICs crossed over", "[coord][cabling][input]") {
  auto plan = plan_input_sweep(2);   // codes 1 and 2
  REQUIRE(plan);
  auto result = decode_input_sweep(*plan, sweeps_showing(2, 2, {{"1", 2U}, {"2", 1U}}), kSweepThreshold);
  REQUIRE(result);
  CHECK(result->found == std::map<NicIndex, SwitchPort>{{0, "2"}, {1, "1"}});
}

TEST_CASE("decode_input_sweep: three NICs with an unlit one, an always-lit input and a stray pattern",
          "[coord][cabling][input]") {
  auto plan = plan_input_sweep(3);   // codes 1, 2, 3 in 3 rounds; 4, 5, 6 unused
  REQUIRE(plan);
  // NIC 0 at input 2, NIC 1 at input 7; NIC 2 shows nowhere. Input 5 is lit throughout (a host
  // that could not turn its port off), input 6 shows code 4, which no NIC has.
  auto result = decode_input_sweep(*plan, sweeps_showing(3, 8, {{"2", 1U}, {"7", 2U}, {"5", 7U}, {"6", 4U}}), kSweepThreshold);
  REQUIRE(result);
  CHECK(result->found == std::map<NicIndex, SwitchPort>{{0, "2"}, {1, "7"}});
  CHECK(result->unlit == std::vector<NicIndex>{2});
  CHECK(result->always_lit == std::vector<SwitchPort>{"5"});
  REQUIRE(result->unexplained.size() == 1);
  CHECK(result->unexplained[0].input == "6");
  CHECK(result->unexplained[0].pattern == 4U);
  CHECK(pattern_text(result->unexplained[0].pattern, plan->rounds) == "dark,dark,lit");
  CHECK(result->ambiguous.empty());
}

TEST_CASE("decode_input_sweep: a code at two inputs is ambiguous and assigned to neither", "[coord][cabling][input]") {
  auto plan = plan_input_sweep(3);
  REQUIRE(plan);
  auto result = decode_input_sweep(*plan, sweeps_showing(3, 8, {{"4", 3U}, {"8", 3U}, {"1", 1U}}), kSweepThreshold);
  REQUIRE(result);
  CHECK(result->found == std::map<NicIndex, SwitchPort>{{0, "1"}});
  REQUIRE(result->ambiguous.size() == 1);
  CHECK(result->ambiguous[0].nic == 2);
  CHECK(result->ambiguous[0].inputs == std::vector<SwitchPort>{"4", "8"});
  CHECK(result->unlit == std::vector<NicIndex>{1});   // the ambiguous NIC is not also unlit
}

TEST_CASE("decode_input_sweep: readings close to the threshold count on their side of it", "[coord][cabling][input]") {
  auto plan = plan_input_sweep(2);
  REQUIRE(plan);
  // At the threshold is dark (the inventory's dark_dbm: "at or below: no light"); just above is lit.
  std::vector<PowerSweep> sweeps = {
      {{"1", -39.99}, {"2", -40.0}, {"3", -40.3}},
      {{"1", -40.0}, {"2", -39.7}, {"3", -40.01}},
  };
  auto result = decode_input_sweep(*plan, sweeps, kSweepThreshold);
  REQUIRE(result);
  CHECK(result->found == std::map<NicIndex, SwitchPort>{{0, "1"}, {1, "2"}});
  CHECK(result->unexplained.empty());
}

TEST_CASE("decode_input_sweep: malformed sweeps are refused, naming the sweep", "[coord][cabling][input]") {
  auto plan = plan_input_sweep(2);
  REQUIRE(plan);
  SECTION("a sweep too few") {
    auto result = decode_input_sweep(*plan, {{{"1", -3.0}}}, kSweepThreshold);
    REQUIRE_FALSE(result);
    CHECK(result.error().field == "sweeps");
  }
  SECTION("a port missing from a later round") {
    auto result = decode_input_sweep(*plan, {{{"1", -3.0}, {"2", -3.0}}, {{"1", -3.0}, {"3", -3.0}}}, kSweepThreshold);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == Errc::invalid_argument);
    CHECK(result.error().field == "sweeps[1]");
  }
  SECTION("a sweep with fewer ports") {
    auto result = decode_input_sweep(*plan, {{{"1", -3.0}, {"2", -3.0}}, {{"1", -3.0}}}, kSweepThreshold);
    REQUIRE_FALSE(result);
    CHECK(result.error().field == "sweeps[1]");
  }
  SECTION("a reading that is not a number") {
    auto result = decode_input_sweep(*plan, {{{"1", std::nan("")}}, {{"1", -3.0}}}, kSweepThreshold);
    REQUIRE_FALSE(result);
    CHECK(result.error().field == "sweeps[0]");
  }
  SECTION("a threshold that is not a number") {
    auto result = decode_input_sweep(*plan, {{{"1", -3.0}}, {{"1", -3.0}}}, std::numeric_limits<double>::infinity());
    REQUIRE_FALSE(result);
    CHECK(result.error().field == "dark_threshold_dbm");
  }
}
