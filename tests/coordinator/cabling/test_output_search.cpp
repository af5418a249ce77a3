// Stage 2 of cabling discovery driven by hand: the facts a round's answers give (self-loops,
// chance pair links, negatives), every contradiction path, lost answers, and a caller's mistakes.
#include <catch2/catch.hpp>

#include <algorithm>

#include "coordinator/cabling/output_search.hpp"

using namespace mixnet;
using namespace mixnet::coord::cabling;

namespace {

SwitchPort tested_output(const OutputRound& round, NicIndex nic) {
  for (const auto& c : round.circuits) {
    if (c.nic == nic) return c.output;
  }
  return {};
}

bool round_has(const OutputRound& round, NicIndex nic) { return !tested_output(round, nic).empty(); }

OutputSearch search_over(const std::map<NicIndex, SwitchPort>& inputs, const std::vector<SwitchPort>& outputs) {
  auto search = OutputSearch::create(inputs, outputs);
  REQUIRE(search);
  return std::move(*search);
}

const UnresolvedOutput* unresolved_entry(const OutputSearchResult& result, NicIndex nic) {
  const auto it = std::find_if(result.unresolved.begin(), result.unresolved.end(),
                               [&](const UnresolvedOutput& u) { return u.nic == nic; });
  return it == result.unresolved.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("OutputSearch: a self-loop finds the output, a silent loop rules one out", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}}, {"2", "3", "4"});
  int rounds = 0;
  while (!search.done()) {
    auto round = search.next_round();
    REQUIRE(round);
    REQUIRE(round->circuits.size() == 1);
    CHECK(round->circuits[0].input == "1");
    const SwitchPort f = round->circuits[0].output;
    const bool loops = f == "4";
    REQUIRE(search.observe(*round, {{0, loops ? Heard::of(0) : Heard::none()}}));
    ++rounds;
    if (!loops) {
      const auto left = search.candidates(0);
      CHECK(std::find(left.begin(), left.end(), f) == left.end());
      CHECK(left.size() == static_cast<std::size_t>(3 - rounds));
    }
  }
  CHECK(rounds <= 3);
  CHECK(search.rounds() == rounds);
  const auto result = search.result();
  CHECK(result.resolved == std::map<NicIndex, SwitchPort>{{0, "4"}});
  CHECK(result.unresolved.empty());
  CHECK(search.candidates(0).empty());
}

TEST_CASE("OutputSearch: two NICs lighting each other by chance give two facts in one round", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}, {1, "2"}}, {"3", "4"});
  auto round = search.next_round();
  REQUIRE(round);
  REQUIRE(round->circuits.size() == 2);   // a maximum matching: both NICs tested
  const SwitchPort f0 = tested_output(*round, 0);
  const SwitchPort f1 = tested_output(*round, 1);
  CHECK(f0 != f1);
  REQUIRE(search.observe(*round, {{0, Heard::of(1)}, {1, Heard::of(0)}}));
  CHECK(search.done());
  CHECK(search.result().resolved == std::map<NicIndex, SwitchPort>{{0, f1}, {1, f0}});
  CHECK(search.rounds() == 1);
}

TEST_CASE("OutputSearch: an output learnt for two NICs is kept for neither", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}, {1, "2"}, {2, "3"}}, {"4", "5", "6"});
  auto round = search.next_round();
  REQUIRE(round);
  REQUIRE(round->circuits.size() == 3);
  const SwitchPort f0 = tested_output(*round, 0);
  // NIC 0 looped back, and NIC 1 heard NIC 0 as well: one output cannot feed two receivers.
  REQUIRE(search.observe(*round, {{0, Heard::of(0)}, {1, Heard::of(0)}, {2, Heard::none()}}));
  const auto left = search.candidates(2);
  CHECK(left.size() == 1);
  CHECK(std::find(left.begin(), left.end(), f0) == left.end());   // disputed: no evidence for anyone
  while (!search.done()) {
    auto next = search.next_round();
    REQUIRE(next);
    CHECK_FALSE(round_has(*next, 0));
    CHECK_FALSE(round_has(*next, 1));
    CHECK(tested_output(*next, 2) != f0);
    REQUIRE(search.observe(*next, {{2, Heard::none()}}));
  }
  const auto result = search.result();
  CHECK(result.resolved.empty());
  REQUIRE(result.unresolved.size() == 3);
  for (const NicIndex nic : {0, 1}) {
    const auto* u = unresolved_entry(result, nic);
    REQUIRE(u != nullptr);
    CHECK(u->why == UnresolvedWhy::contradiction);
    CHECK_THAT(u->detail, Catch::Contains("output " + f0 + " was learnt for NIC 0") && Catch::Contains("NIC 1"));
  }
  const auto* deaf = unresolved_entry(result, 2);
  REQUIRE(deaf != nullptr);
  CHECK(deaf->why == UnresolvedWhy::candidates_exhausted);
  CHECK(std::string(to_string(deaf->why)) == "candidates_exhausted");
}

TEST_CASE("OutputSearch: a fact against an earlier negative wins, the negative was a slow link", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}, {1, "2"}}, {"3", "4"});
  auto first = search.next_round();
  REQUIRE(first);
  const SwitchPort first_f0 = tested_output(*first, 0);
  REQUIRE(search.observe(*first, {{0, Heard::none()}, {1, Heard::none()}}));
  auto second = search.next_round();
  REQUIRE(second);
  REQUIRE(second->circuits.size() == 2);
  REQUIRE(tested_output(*second, 1) == first_f0);   // each NIC tries the output the other had
  // NIC 0 hears NIC 1, whose light went to the output that stayed silent for NIC 0 in round 1:
  // that round's wait was shorter than NIC 0's link took. Hearing is evidence; silence is not.
  REQUIRE(search.observe(*second, {{0, Heard::of(1)}, {1, Heard::none()}}));
  const auto result = search.result();
  REQUIRE(result.resolved.contains(0));
  CHECK(result.resolved.at(0) == first_f0);
  CHECK(search.done());
  const auto* u1 = unresolved_entry(result, 1);
  REQUIRE(u1 != nullptr);
  CHECK(u1->why == UnresolvedWhy::candidates_exhausted);
}

TEST_CASE("OutputSearch: hearing an identity not under test is a contradiction naming it", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}}, {"2", "3"});
  auto round = search.next_round();
  REQUIRE(round);
  REQUIRE(search.observe(*round, {{0, Heard::identity("h9:ocs0")}}));
  CHECK(search.done());
  const auto result = search.result();
  REQUIRE(result.unresolved.size() == 1);
  CHECK(result.unresolved[0].why == UnresolvedWhy::contradiction);
  CHECK_THAT(result.unresolved[0].detail, Catch::Contains("h9:ocs0"));
}

TEST_CASE("OutputSearch: hearing a NIC whose input had no circuit is a contradiction", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}, {1, "2"}}, {"3", "4", "5"});
  auto first = search.next_round();
  REQUIRE(first);
  REQUIRE(search.observe(*first, {{0, Heard::of(0)}, {1, Heard::none()}}));
  auto second = search.next_round();
  REQUIRE(second);
  CHECK_FALSE(round_has(*second, 0));   // resolved: no longer tested
  REQUIRE(search.observe(*second, {{1, Heard::of(0)}}));
  const auto result = search.result();
  CHECK(result.resolved == std::map<NicIndex, SwitchPort>{{0, tested_output(*first, 0)}});
  const auto* u1 = unresolved_entry(result, 1);
  REQUIRE(u1 != nullptr);
  CHECK(u1->why == UnresolvedWhy::contradiction);
  CHECK_THAT(u1->detail, Catch::Contains("whose input had no circuit"));
}

TEST_CASE("OutputSearch: a resolved NIC that later hears another output loses its answer", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}, {1, "2"}}, {"3", "4", "5"});
  auto first = search.next_round();
  REQUIRE(first);
  const SwitchPort x = tested_output(*first, 0);
  REQUIRE(search.observe(*first, {{0, Heard::of(0)}, {1, Heard::none()}}));
  auto second = search.next_round();
  REQUIRE(second);
  const SwitchPort y = tested_output(*second, 1);
  REQUIRE(search.observe(*second, {{0, Heard::of(1)}, {1, Heard::none()}}));
  const auto result = search.result();
  CHECK_FALSE(result.resolved.contains(0));
  const auto* u0 = unresolved_entry(result, 0);
  REQUIRE(u0 != nullptr);
  CHECK(u0->why == UnresolvedWhy::contradiction);
  CHECK_THAT(u0->detail, Catch::Contains("output " + x) && Catch::Contains("output " + y));
  // Neither output is evidence for NIC 1 any more.
  const auto left = search.candidates(1);
  CHECK(std::find(left.begin(), left.end(), x) == left.end());
  CHECK(std::find(left.begin(), left.end(), y) == left.end());
}

TEST_CASE("OutputSearch: a lost answer records nothing and is retried, twice lost gives up", "[coord][cabling][output]") {
  SECTION("lost twice") {
    OutputSearch search = search_over({{0, "1"}}, {"2", "3", "4"});
    for (int i = 0; i < OutputSearch::kMaxLostRounds; ++i) {
      REQUIRE_FALSE(search.done());
      auto round = search.next_round();
      REQUIRE(round);
      REQUIRE(search.observe(*round, {}));   // absent from the answers: lost
      CHECK(search.candidates(0).size() == (i + 1 < OutputSearch::kMaxLostRounds ? 3U : 0U));
    }
    CHECK(search.done());
    const auto result = search.result();
    REQUIRE(result.unresolved.size() == 1);
    CHECK(result.unresolved[0].why == UnresolvedWhy::agent_silent);
  }
  SECTION("lost once, then answered") {
    OutputSearch search = search_over({{0, "1"}}, {"2"});
    auto round = search.next_round();
    REQUIRE(round);
    REQUIRE(search.observe(*round, {{0, Heard::lost_answer()}}));
    auto again = search.next_round();
    REQUIRE(again);
    CHECK(again->circuits == round->circuits);   // the same test once more
    REQUIRE(search.observe(*again, {{0, Heard::of(0)}}));
    CHECK(search.done());
    CHECK(search.result().resolved == std::map<NicIndex, SwitchPort>{{0, "2"}});
  }
}

TEST_CASE("OutputSearch: result before the end says who is still searching", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}}, {"2", "3"});
  const auto result = search.result();
  REQUIRE(result.unresolved.size() == 1);
  CHECK(result.unresolved[0].why == UnresolvedWhy::not_finished);
}

TEST_CASE("OutputSearch: with no outputs every NIC is given up at once", "[coord][cabling][output]") {
  OutputSearch search = search_over({{0, "1"}, {1, "2"}}, {});
  CHECK(search.done());
  auto round = search.next_round();
  REQUIRE(round);
  CHECK(round->number == 0);
  CHECK(round->circuits.empty());
  CHECK(search.result().unresolved.size() == 2);
}

TEST_CASE("OutputSearch: a caller's mistakes are refused and change nothing", "[coord][cabling][output]") {
  SECTION("bad inputs or outputs") {
    auto twice_in = OutputSearch::create({{0, "1"}, {1, "1"}}, {"3"});
    REQUIRE_FALSE(twice_in);
    CHECK(twice_in.error().field == "inputs");
    auto twice_out = OutputSearch::create({{0, "1"}}, {"3", "3"});
    REQUIRE_FALSE(twice_out);
    CHECK(twice_out.error().field == "outputs");
    auto empty_out = OutputSearch::create({{0, "1"}}, {""});
    REQUIRE_FALSE(empty_out);
    CHECK(empty_out.error().field == "outputs");
  }
  SECTION("misuse of rounds") {
    OutputSearch search = search_over({{0, "1"}, {1, "2"}}, {"3", "4"});
    auto round = search.next_round();
    REQUIRE(round);
    auto too_soon = search.next_round();
    REQUIRE_FALSE(too_soon);
    CHECK(too_soon.error().code == Errc::conflict);

    OutputRound other = *round;
    other.number = 7;
    auto wrong_round = search.observe(other, {});
    REQUIRE_FALSE(wrong_round);
    CHECK(wrong_round.error().field == "round");

    auto unknown_listener = search.observe(*round, {{5, Heard::none()}});
    REQUIRE_FALSE(unknown_listener);
    CHECK(unknown_listener.error().field == "heard");
    auto unknown_talker = search.observe(*round, {{0, Heard::of(5)}});
    REQUIRE_FALSE(unknown_talker);
    CHECK(unknown_talker.error().field == "heard");

    // Nothing was applied: the round is still the one to observe, and both NICs still search.
    CHECK(search.candidates(0).size() == 2);
    REQUIRE(search.observe(*round, {{0, Heard::of(0)}, {1, Heard::of(1)}}));
    CHECK(search.done());
    auto after = search.observe(*round, {});
    REQUIRE_FALSE(after);
    CHECK(after.error().field == "round");
  }
}
