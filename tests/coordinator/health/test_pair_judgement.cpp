// health.bandwidth's judgement of its tests against the run's peers (pair_judgement.hpp).
#include <catch2/catch.hpp>

#include "coordinator/health/pair_judgement.hpp"

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

TEST_CASE("judge_against_peers: a test under half the run's median fails, naming the figures", "[health][nightly]") {
  std::vector<PairTest> tests = {measured("h1:ocs0", "h2:ocs0", 9.4), measured("h1:ocs1", "h3:ocs0", 9.2),
                                 measured("h2:ocs1", "h4:ocs0", 0.1), measured("h3:ocs1", "h4:ocs1", 9.0)};
  judge_against_peers(tests, {}, 0.5);
  CHECK(tests[0].passed);
  CHECK(tests[1].passed);
  CHECK(tests[3].passed);
  REQUIRE_FALSE(tests[2].passed);
  // median of 9.4, 9.2, 0.1, 9.0 is 9.1: the floor is 4.55.
  REQUIRE(tests[2].threshold_gbps.has_value());
  CHECK(*tests[2].threshold_gbps == Approx(4.55));
  CHECK(tests[2].detail == "0.1 Gb/s < 4.55 (50% of the run's median 9.1 Gb/s)");
  // The passing ones carry the floor they were judged against.
  CHECK(*tests[0].threshold_gbps == Approx(4.55));
}

TEST_CASE("judge_against_peers: a lone retest is judged against the run's earlier figures", "[health][nightly]") {
  std::vector<PairTest> retest = {measured("h2:ocs1", "h1:ocs2", 0.2)};
  retest[0].round = 1;
  // Alone, the retest would be its own median and pass.
  auto alone = retest;
  judge_against_peers(alone, {}, 0.5);
  CHECK(alone[0].passed);
  judge_against_peers(retest, {9.4, 9.2, 9.0, 0.1}, 0.5);
  CHECK_FALSE(retest[0].passed);
}

TEST_CASE("judge_against_peers: failed tests and a line-rate threshold are kept as they are", "[health][nightly]") {
  PairTest failed{.a = "h1:ocs0", .b = "h2:ocs0", .via = PartKind::circuit, .passed = false, .detail = "link not verified: dark"};
  PairTest line_rate = measured("h1:ocs1", "h3:ocs0", 95.0);
  line_rate.threshold_gbps = 90.0;
  std::vector<PairTest> tests = {failed, line_rate, measured("h1:ocs2", "h4:ocs0", 96.0)};
  judge_against_peers(tests, {}, 0.5);
  CHECK_FALSE(tests[0].passed);
  CHECK(tests[0].detail == "link not verified: dark");
  CHECK_FALSE(tests[0].threshold_gbps.has_value());
  CHECK(tests[1].passed);
  CHECK(*tests[1].threshold_gbps == 90.0);
}

TEST_CASE("measured_gbps: figures of one kind of part, passed or not", "[health][nightly]") {
  auto slow = measured("h1:ocs0", "h2:ocs0", 0.1);
  slow.passed = false;
  const std::vector<PairTest> tests = {slow, measured("h1:eps0", "h2:eps0", 9.0, PartKind::eps_pair),
                                       PairTest{.a = "h3:ocs0", .b = "h4:ocs0", .passed = false}};
  CHECK(measured_gbps(tests, PartKind::circuit) == std::vector<double>{0.1});
  CHECK(measured_gbps(tests, PartKind::eps_pair) == std::vector<double>{9.0});
}
