// health.bandwidth's judgement of its tests against the run's peers (pair_judgement.hpp).
#include <catch2/catch.hpp>

#include "coordinator/health/pair_judgement.hpp"
#include "coordinator/health/peer_medians.hpp"
#include "coordinator/health/rules.hpp"

#include <string>
#include <vector>

using namespace mixnet::coord::health;

namespace {

PairTest measured(const std::string& a, const std::string& b, double gbps, PartKind via = PartKind::circuit) {
  return PairTest{.a = a, .b = b, .via = via, .path = test_part_name(via, a, b), .passed = true, .gbps = gbps, .detail = "ok"};
}

}  // namespace

TEST_CASE("test_part_name: a circuit is TX>RX, an electrical pair a~b", "[health][nightly]") {
  CHECK(test_part_name(PartKind::circuit, "h1:ocs0", "h2:ocs1") == "h1:ocs0>h2:ocs1");
  CHECK(test_part_name(PartKind::eps_pair, "h1:eps0", "h2:eps0") == "h1:eps0~h2:eps0");
  CHECK(test_part_name(PartKind::eps_pair, "h2:eps0", "h1:eps0") == "h1:eps0~h2:eps0");
  CHECK(test_part_name(PartKind::circuit, "h2:ocs0", "h1:ocs1") == "h2:ocs0>h1:ocs1");
}

TEST_CASE("judge_against_peers: a test under half its peers' median fails, naming the figures", "[health][nightly]") {
  std::vector<PairTest> tests = {measured("h1:ocs0", "h2:ocs0", 9.4), measured("h1:ocs1", "h3:ocs0", 9.2),
                                 measured("h2:ocs1", "h4:ocs0", 0.1), measured("h3:ocs1", "h4:ocs1", 9.0)};
  judge_against_peers(tests, {}, 0.5);
  CHECK(tests[0].passed);
  CHECK(tests[1].passed);
  CHECK(tests[3].passed);
  REQUIRE_FALSE(tests[2].passed);
  // Its peers are the other three circuits: 9.4, 9.2, 9.0, median 9.2, floor 4.6.
  REQUIRE(tests[2].threshold_gbps.has_value());
  CHECK(*tests[2].threshold_gbps == Approx(4.6));
  CHECK(tests[2].detail == "0.1 Gb/s < 4.6 (50% of the median 9.2 Gb/s of 3 other circuits in this run)");
  // The passing ones carry the floor they were judged against: h1:ocs0's peers 9.2, 0.1, 9.0.
  CHECK(*tests[0].threshold_gbps == Approx(4.5));
}

TEST_CASE("judge_against_peers: the same rule as the report's bandwidth-vs-peers", "[health][nightly]") {
  // Six electrical pairs, two slow ones in one round: each is judged against the other five,
  // as the rules judge it in the report; the one at 2.75 fails (2.75 < 0.5 x 6.5).
  const std::vector<double> gbps = {2.15, 2.75, 6.0, 6.5, 7.0, 7.1};
  std::vector<PairTest> tests;
  for (std::size_t i = 0; i < gbps.size(); ++i) {
    tests.push_back(measured("h1:eps" + std::to_string(i), "h2:eps" + std::to_string(i), gbps[i], PartKind::eps_pair));
  }
  judge_against_peers(tests, {}, 0.5);
  CHECK_FALSE(tests[0].passed);
  CHECK_FALSE(tests[1].passed);
  CHECK(*tests[1].threshold_gbps == Approx(3.25));
  for (std::size_t i = 2; i < tests.size(); ++i) CHECK(tests[i].passed);
}

TEST_CASE("judge_against_peers: a lone retest is judged against the run's earlier figures, not its own first one", "[health][nightly]") {
  std::vector<PairTest> retest = {measured("h2:ocs1", "h1:ocs2", 0.2)};
  retest[0].round = 1;
  // Alone, the retest has no peers: it is not judged.
  auto alone = retest;
  judge_against_peers(alone, {}, 0.5);
  CHECK(alone[0].passed);
  CHECK_FALSE(alone[0].threshold_gbps.has_value());
  // Its own first figure is superseded, not a peer: the peers are the three other circuits.
  const std::vector<PairTest> earlier = {measured("h1:ocs0", "h2:ocs0", 9.4), measured("h1:ocs1", "h3:ocs0", 9.2),
                                         measured("h3:ocs1", "h4:ocs1", 9.0), measured("h2:ocs1", "h1:ocs2", 0.1)};
  judge_against_peers(retest, earlier, 0.5);
  CHECK_FALSE(retest[0].passed);
  CHECK(*retest[0].threshold_gbps == Approx(4.6));
  // Two peers are enough; one is not (as the shipped rules' min_peers).
  auto two = std::vector<PairTest>{measured("h2:ocs1", "h1:ocs2", 0.2)};
  judge_against_peers(two, {earlier[0], earlier[1]}, 0.5);
  CHECK_FALSE(two[0].passed);
  auto one = std::vector<PairTest>{measured("h2:ocs1", "h1:ocs2", 0.2)};
  judge_against_peers(one, {earlier[0]}, 0.5);
  CHECK(one[0].passed);
}

TEST_CASE("judge_against_peers: failed tests and a line-rate threshold are kept as they are", "[health][nightly]") {
  PairTest failed{.a = "h1:ocs0", .b = "h2:ocs0", .via = PartKind::circuit, .passed = false, .detail = "link not verified: dark"};
  PairTest line_rate = measured("h1:ocs1", "h3:ocs0", 95.0);
  line_rate.threshold_gbps = 90.0;
  std::vector<PairTest> tests = {failed, line_rate, measured("h1:ocs2", "h4:ocs0", 96.0), measured("h2:ocs2", "h3:ocs2", 94.0)};
  judge_against_peers(tests, {}, 0.5);
  CHECK_FALSE(tests[0].passed);
  CHECK(tests[0].detail == "link not verified: dark");
  CHECK_FALSE(tests[0].threshold_gbps.has_value());
  CHECK(tests[1].passed);
  CHECK(*tests[1].threshold_gbps == 90.0);
}

TEST_CASE("current_figures: a path's retest supersedes its first figure, other figures are all kept", "[health][nightly]") {
  auto obs = [](PartKind kind, std::string part, std::string figure, double value) {
    return Observation{.kind = kind, .part = std::move(part), .figure = std::move(figure), .value = value, .unit = "", .source = "",
                       .why_missing = "", .at_ns = 0};
  };
  const std::vector<Observation> ledger = {
      obs(PartKind::circuit, "h1:ocs0>h2:ocs0", "bandwidth_gbps", 0.2),   // superseded by its retest below
      obs(PartKind::circuit, "h2:ocs0>h1:ocs0", "bandwidth_gbps", 9.4),   // the other direction: its own path
      obs(PartKind::ocs_port, "ocs1/5", "input_power_dbm", -3.0),         // two power readings: both judged
      obs(PartKind::eps_pair, "h1:eps0~h2:eps0", "bandwidth_gbps", 1.8),
      obs(PartKind::ocs_port, "ocs1/5", "input_power_dbm", -3.1),
      obs(PartKind::circuit, "h1:ocs0>h2:ocs0", "bandwidth_gbps", 9.3),
  };
  const auto current = current_figures(ledger);
  REQUIRE(current.size() == 5);
  CHECK(current[0].part == "h2:ocs0>h1:ocs0");
  CHECK(current[1].value == -3.0);
  CHECK(current[2].part == "h1:eps0~h2:eps0");
  CHECK(current[3].value == -3.1);
  CHECK(current[4].part == "h1:ocs0>h2:ocs0");
  CHECK(current[4].value == 9.3);
}

TEST_CASE("first_figures: the peers' reference is the first pass, each path's first measured figure", "[health][nightly]") {
  auto obs = [](std::string part, std::optional<double> value, bool retest) {
    return Observation{.kind = PartKind::circuit, .part = std::move(part), .figure = "bandwidth_gbps", .value = value, .unit = "",
                       .source = "", .why_missing = "", .at_ns = 0, .retest = retest};
  };
  const std::vector<Observation> ledger = {obs("a>b", std::nullopt, false), obs("c>d", 9.0, false), obs("a>b", 0.3, false),
                                           obs("c>d", 9.5, true), obs("a>b", 8.0, true), obs("a>e", 9.9, true)};
  const auto first = first_figures(ledger);
  REQUIRE(first.size() == 2);
  CHECK(first[0].part == "c>d");
  CHECK(first[0].value == 9.0);
  CHECK(first[1].part == "a>b");
  CHECK(first[1].value == 0.3);   // the first with a value: a failed connect has none
  // a>e exists only as a retest (a suspect with a partner that passed): no sample of the run.
}

// The 32-host lab ended UNKNOWN on one electrical pair that passed when its retest step judged it
// and failed when the report did: the retests of other, failed pairs had raised the report's median
// above the one the retest step used. With the first pass as the one reference both agree.
TEST_CASE("peer judgement: the retest step and the report judge a figure against the same median", "[health][nightly]") {
  // First pass: five electrical pairs, C failed; D is near the floor (0.47 against 0.5 x 0.925).
  std::vector<PairTest> first = {measured("h1:eps0", "h2:eps0", 1.0, PartKind::eps_pair), measured("h3:eps0", "h4:eps0", 0.9, PartKind::eps_pair),
                                 measured("h5:eps0", "h6:eps0", 0.2, PartKind::eps_pair), measured("h7:eps0", "h8:eps0", 0.47, PartKind::eps_pair),
                                 measured("h9:eps0", "h10:eps0", 0.95, PartKind::eps_pair)};
  judge_against_peers(first, {}, 0.5);
  CHECK_FALSE(first[2].passed);
  CHECK(first[3].passed);
  // C's retest passes, at 1.0: had it replaced C's first figure, D's peers' median would be 0.975;
  // a retest of C's ends with new partners (fewer tests at once, so faster) would raise it too.
  std::vector<PairTest> retest = {measured("h5:eps0", "h6:eps0", 1.0, PartKind::eps_pair), measured("h5:eps0", "h1:eps0", 1.2, PartKind::eps_pair),
                                  measured("h6:eps0", "h2:eps0", 1.2, PartKind::eps_pair)};
  for (auto& t : retest) t.round = 1;
  judge_against_peers(retest, first, 0.5);
  for (const auto& t : retest) CHECK(t.passed);

  std::vector<Observation> ledger;
  for (const auto* batch : {&first, &retest}) {
    for (const auto& t : *batch) {
      ledger.push_back(Observation{.kind = t.via, .part = t.path, .figure = "bandwidth_gbps", .value = t.gbps, .retest = t.round > 0});
    }
  }
  for (const auto& f : evaluate(default_rules(), ledger, nullptr)) {
    INFO(f.part << " " << f.rule << ": " << f.message);
    CHECK(f.severity == Severity::ok);   // D passes here too, and C is judged on its retest
  }
}

TEST_CASE("fail_tests_the_rules_failed: the report's rule fails a path's latest test that passed when measured", "[health][nightly]") {
  auto first = measured("h1:ocs0", "h2:ocs0", 0.3);
  first.passed = false;
  auto retest = measured("h1:ocs0", "h2:ocs0", 2.9);
  retest.round = 1;
  std::vector<PairTest> tests = {first, retest, measured("h3:ocs0", "h4:ocs0", 9.0), measured("h1:eps0", "h2:eps0", 9.0, PartKind::eps_pair)};
  auto finding = [](PartKind kind, std::string part, std::string figure, Severity s) {
    return Finding{.severity = s, .kind = kind, .part = std::move(part), .figure = std::move(figure), .rule = "bandwidth-vs-peers",
                   .message = "2.9 Gb/s < 0.5 x the median of 5 peers (9.0 Gb/s)", .value = 2.9, .reference = 9.0};
  };
  fail_tests_the_rules_failed(tests, {finding(PartKind::circuit, "h1:ocs0>h2:ocs0", "bandwidth_gbps", Severity::critical),
                                      finding(PartKind::circuit, "h3:ocs0>h4:ocs0", "bandwidth_gbps", Severity::warning),
                                      finding(PartKind::circuit, "h3:ocs0>h4:ocs0", "input_power_dbm", Severity::critical),
                                      finding(PartKind::circuit, "h1:eps0~h2:eps0", "bandwidth_gbps", Severity::critical)});
  CHECK_FALSE(tests[0].passed);
  REQUIRE_FALSE(tests[1].passed);   // the latest test of the path
  CHECK(tests[1].detail == "2.9 Gb/s < 0.5 x the median of 5 peers (9.0 Gb/s) (rule bandwidth-vs-peers)");
  CHECK(tests[2].passed);           // a warning, and a figure that is not bandwidth
  CHECK(tests[3].passed);           // the finding named a circuit, the test is an electrical pair
}
