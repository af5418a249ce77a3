// The run's health ledger: records kept in order, and the re-judgement the retest step asks for
// before it plans (an early test judged again against every figure kept since).
#include <catch2/catch.hpp>

#include "coordinator/health/health_ledger.hpp"
#include "coordinator/health/pair_judgement.hpp"

using namespace mixnet::coord::health;

namespace {

PairTest ledger_measured(const std::string& a, const std::string& b, double gbps) {
  return PairTest{.a = a, .b = b, .via = PartKind::circuit, .path = test_part_name(PartKind::circuit, a, b), .passed = true, .gbps = gbps,
                  .detail = "ok"};
}

}  // namespace

TEST_CASE("HealthLedger: rejudge_tests judges early tests against every figure kept since", "[health][nightly]") {
  HealthLedger ledger;
  // cover-1: three slow circuits, judged among themselves, all passed.
  for (const auto& t : {ledger_measured("h1:ocs0", "h3:ocs0", 0.8), ledger_measured("h1:ocs1", "h3:ocs1", 0.7), ledger_measured("h2:ocs0", "h4:ocs0", 0.75)}) {
    ledger.add(t);
  }
  // cover-2: three at twice the rate.
  for (const auto& t : {ledger_measured("h1:ocs0", "h2:ocs0", 1.7), ledger_measured("h3:ocs0", "h4:ocs0", 1.6), ledger_measured("h1:ocs1", "h2:ocs1", 1.65)}) {
    ledger.add(t);
  }
  auto failed = PairTest{.a = "h2:ocs1", .b = "h4:ocs1", .via = PartKind::circuit, .path = "h2:ocs1>h4:ocs1", .passed = false,
                         .detail = "link not verified: dark"};
  ledger.add(failed);
  // An electrical pair far below the circuits: another fabric, not judged with them.
  ledger.add(PairTest{.a = "h1:eps0", .b = "h2:eps0", .via = PartKind::eps_pair, .path = "h1:eps0~h2:eps0", .passed = true,
                      .gbps = 0.1, .detail = "ok"});
  ledger.rejudge_tests(0.5, PartKind::circuit);
  const auto tests = ledger.snapshot().tests;
  REQUIRE(tests.size() == 8);
  CHECK(tests[7].passed);
  // Each cover-1 circuit has the other five as peers, median 1.6, floor 0.8.
  CHECK(tests[0].passed);   // 0.8 is not under the floor
  CHECK_FALSE(tests[1].passed);
  CHECK(tests[1].detail == "0.7 Gb/s < 0.8 (50% of the median 1.6 Gb/s of 5 other circuits in this run)");
  CHECK_FALSE(tests[2].passed);
  for (std::size_t i = 3; i < 6; ++i) CHECK(tests[i].passed);
  CHECK(tests[6].detail == "link not verified: dark");   // a failed test keeps its own reason
}
