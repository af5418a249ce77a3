// Retest planning: new partners that passed, on the same switch, never paired before; both ends
// of a failed circuit retested; rounds that use no port twice; and the retest round as a
// topology the OCS can be set to.
#include <catch2/catch.hpp>

#include <map>

#include "coordinator/health/retest_topology.hpp"
#include "health_lab.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::health;
using namespace mixnet::coord::health::testing;

namespace {

PairTest circuit_test(const std::string& a, const std::string& b, bool passed) {
  return PairTest{.a = a, .b = b, .via = PartKind::circuit, .path = a + ">" + b, .round = 0, .passed = passed,
                  .gbps = passed ? 9.4 : 3.1, .threshold_gbps = 9.0, .detail = passed ? "" : "3.1 Gb/s < 9.0"};
}

std::set<std::string> partners_of(const std::vector<RetestRound>& rounds, const std::string& port) {
  std::set<std::string> out;
  for (const auto& round : rounds) {
    for (const auto& p : round) {
      if (p.a == port) out.insert(p.b);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("plan_retest: nothing failed, nothing to retest", "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  CHECK(plan_retest(cover_tests(inv, healthy), inv, PartKind::circuit).empty());
}

TEST_CASE("plan_retest: both ends of a failed circuit get fresh partners that passed", "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 1, 0);
  // h1-h3 failed, h2-h4 passed: h1 and h3 each get two partners among h2 and h4 (one per round).
  const std::vector<PairTest> done = {circuit_test("h1:ocs0", "h3:ocs0", false), circuit_test("h2:ocs0", "h4:ocs0", true)};
  const auto rounds = plan_retest(done, inv, PartKind::circuit, 2);
  REQUIRE(rounds.size() == 2);
  for (const auto& round : rounds) {
    REQUIRE(round.size() == 2);
    std::set<std::string> used;
    for (const auto& p : round) {
      CHECK(used.insert(p.a).second);
      CHECK(used.insert(p.b).second);
    }
  }
  CHECK(partners_of(rounds, "h1:ocs0") == std::set<std::string>{"h2:ocs0", "h4:ocs0"});
  CHECK(partners_of(rounds, "h3:ocs0") == std::set<std::string>{"h2:ocs0", "h4:ocs0"});
  CHECK(plan_retest(done, inv, PartKind::circuit, 1).size() == 1);
}

TEST_CASE("plan_retest: a port that already passed with another needs no retest", "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 1, 0);
  const std::vector<PairTest> done = {circuit_test("h1:ocs0", "h3:ocs0", false), circuit_test("h1:ocs0", "h2:ocs0", true),
                                      circuit_test("h2:ocs0", "h4:ocs0", true)};
  const auto rounds = plan_retest(done, inv, PartKind::circuit, 2);
  // h3 failed with h1, which is proven good: one fresh partner settles it; h1 is settled already.
  REQUIRE(rounds.size() == 1);
  REQUIRE(rounds[0].size() == 1);
  CHECK(rounds[0][0].a == "h3:ocs0");
  CHECK((rounds[0][0].b == "h2:ocs0" || rounds[0][0].b == "h4:ocs0"));
}

TEST_CASE("plan_retest: a port already failed with two proven partners is not retested", "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 1, 0);
  const std::vector<PairTest> done = {circuit_test("h1:ocs0", "h2:ocs0", false), circuit_test("h1:ocs0", "h3:ocs0", false),
                                      circuit_test("h2:ocs0", "h4:ocs0", true), circuit_test("h3:ocs0", "h4:ocs0", true)};
  CHECK(plan_retest(done, inv, PartKind::circuit, 2).empty());
}

TEST_CASE("plan_retest: partners stay on the suspect's switch and fabric", "[coord][health][retest]") {
  auto inv = parse_inventory(R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1"}
    ports:
      - {name: a, ocs: {switch: s1, tx: 1, rx: 9}}
      - {name: e, eps: {switch: e1}}
  - name: h2
    agent: {url: "http://127.0.0.1:2"}
    ports:
      - {name: a, ocs: {switch: s1, tx: 2, rx: 10}}
      - {name: e, eps: {switch: e1}}
  - name: h3
    agent: {url: "http://127.0.0.1:3"}
    ports:
      - {name: a, ocs: {switch: s1, tx: 3, rx: 11}}
      - {name: b, ocs: {switch: s2, tx: 1, rx: 9}}
      - {name: e, eps: {switch: e2}}
  - name: h4
    agent: {url: "http://127.0.0.1:4"}
    ports:
      - {name: b, ocs: {switch: s2, tx: 2, rx: 10}}
      - {name: d, ocs: {switch: s1, port: 30}}
      - {name: e, eps: {switch: e1}}
switches:
  - {name: s1, kind: ocs, uri: "polatis-tl1://a@h:1"}
  - {name: s2, kind: ocs, uri: "polatis-tl1://a@h:2"}
  - {name: e1, kind: eps}
  - {name: e2, kind: eps}
)",
                             "inv.yaml", "");
  REQUIRE(inv.has_value());
  // h1:a failed with h2:a; h3:b (other switch) and h4:d (one-port cabling on s1) passed.
  std::vector<PairTest> done = {circuit_test("h1:a", "h2:a", false), circuit_test("h3:b", "h4:b", true),
                                circuit_test("h4:d", "h1:a", true)};
  done.push_back(PairTest{.a = "h3:e", .b = "h4:e", .via = PartKind::eps_pair, .path = "", .round = 0, .passed = true,
                          .gbps = 9.4, .threshold_gbps = 9.0, .detail = ""});
  // No partner through s1 with TX and RX passed: h2:a is left out (blame will say unknown).
  auto rounds = plan_retest(done, *inv, PartKind::circuit, 2);
  CHECK(rounds.empty());
  done.push_back(circuit_test("h3:a", "h1:a", true));
  rounds = plan_retest(done, *inv, PartKind::circuit, 2);
  REQUIRE(rounds.size() == 1);
  REQUIRE(rounds[0].size() == 1);
  CHECK(rounds[0][0].a == "h2:a");
  CHECK(rounds[0][0].b == "h3:a");

  // Electrical: h1:e failed with h2:e; h3:e passed but is on another switch, h4:e is on e1.
  const std::vector<PairTest> eps = {
      PairTest{.a = "h1:e", .b = "h2:e", .via = PartKind::eps_pair, .path = "", .round = 0, .passed = false, .gbps = 1.0,
               .threshold_gbps = 9.0, .detail = ""},
      PairTest{.a = "h3:e", .b = "h4:e", .via = PartKind::eps_pair, .path = "", .round = 0, .passed = true, .gbps = 9.4,
               .threshold_gbps = 9.0, .detail = ""}};
  rounds = plan_retest(eps, *inv, PartKind::eps_pair, 2);
  REQUIRE(rounds.size() == 2);
  CHECK(rounds[0].size() == 1);
  CHECK(rounds[1].size() == 1);
  CHECK(partners_of(rounds, "h1:e") == std::set<std::string>{"h4:e"});
  CHECK(partners_of(rounds, "h2:e") == std::set<std::string>{"h4:e"});
}

TEST_CASE("plan_retest: a dead agent's ports are left out and its peers get judged", "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 1, 0);
  const std::vector<PairTest> done = {circuit_test("h1:ocs0", "h3:ocs0", false), circuit_test("h2:ocs0", "h4:ocs0", true)};
  const auto rounds = plan_retest(done, inv, PartKind::circuit, 2, {"h3"});
  // h1 never had a test that counts: one fresh partner; h3 is not retested.
  REQUIRE(rounds.size() == 1);
  REQUIRE(rounds[0].size() == 1);
  CHECK(rounds[0][0].a == "h1:ocs0");
  CHECK(rounds[0][0].b == "h2:ocs0");
}

TEST_CASE("plan_retest: a failed circuit whose ends both passed elsewhere is tested once more, the same way round",
          "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 1, 0);
  std::vector<PairTest> done = {circuit_test("h1:ocs0", "h2:ocs0", false), circuit_test("h1:ocs0", "h3:ocs0", true),
                                circuit_test("h2:ocs0", "h4:ocs0", true)};
  const auto rounds = plan_retest(done, inv, PartKind::circuit, 2);
  REQUIRE(rounds.size() == 1);
  REQUIRE(rounds[0].size() == 1);
  CHECK(rounds[0][0].a == "h1:ocs0");
  CHECK(rounds[0][0].b == "h2:ocs0");
  CHECK(rounds[0][0].again);
  // Once retested, whatever the outcome, the path is not planned again.
  for (const bool passed : {false, true}) {
    auto retested = done;
    auto t = circuit_test("h1:ocs0", "h2:ocs0", passed);
    t.round = 1;
    retested.push_back(t);
    CHECK(plan_retest(retested, inv, PartKind::circuit, 2).empty());
  }
  // A failed circuit with an end that never passed is that end's suspicion, not the path's.
  done[2].passed = false;
  for (const auto& round : plan_retest(done, inv, PartKind::circuit, 2)) {
    for (const auto& p : round) CHECK_FALSE(p.again);
  }
}

TEST_CASE("plan_retest: a same-pair retest goes into the round first, the suspects take the ports it leaves",
          "[coord][health][retest]") {
  const Inventory inv = lab_inventory(5, 1, 0);
  // h1>h2 failed once, both ends passed with h3. h4 and h5 failed with each other and never
  // passed: each wants two fresh partners among h1, h2, h3.
  const std::vector<PairTest> done = {circuit_test("h1:ocs0", "h2:ocs0", false), circuit_test("h1:ocs0", "h3:ocs0", true),
                                      circuit_test("h2:ocs0", "h3:ocs0", true), circuit_test("h5:ocs0", "h4:ocs0", false)};
  const auto rounds = plan_retest(done, inv, PartKind::circuit, 1);
  REQUIRE(rounds.size() == 1);
  REQUIRE(rounds[0].size() == 2);
  CHECK(rounds[0][0].a == "h1:ocs0");
  CHECK(rounds[0][0].b == "h2:ocs0");
  CHECK(rounds[0][0].again);
  CHECK(rounds[0][1].a == "h4:ocs0");
  CHECK(rounds[0][1].b == "h3:ocs0");
  CHECK_FALSE(rounds[0][1].again);
}

TEST_CASE("plan_retest: a maximum matching, not a greedy one", "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 1, 0);
  // Suspects h1 (failed with h2) and h2 (failed with h1 and h4). Partners that passed: h3 (clean,
  // so preferred) and h4. h2 may take only h3 (it met h4): a greedy pass that gives h1 its
  // preferred h3 first would leave h2 with nothing; the matching moves h1 to h4.
  const std::vector<PairTest> done = {circuit_test("h1:ocs0", "h2:ocs0", false), circuit_test("h2:ocs0", "h4:ocs0", false),
                                      circuit_test("h3:ocs0", "h4:ocs0", true)};
  const auto rounds = plan_retest(done, inv, PartKind::circuit, 1);
  REQUIRE(rounds.size() == 1);
  REQUIRE(rounds[0].size() == 2);
  CHECK(partners_of(rounds, "h1:ocs0") == std::set<std::string>{"h4:ocs0"});
  CHECK(partners_of(rounds, "h2:ocs0") == std::set<std::string>{"h3:ocs0"});
}

TEST_CASE("retest_topology: a round becomes a resolved topology of TX-to-RX circuits", "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 1, 0);
  const RetestRound round = {{"h1:ocs0", "h2:ocs0"}, {"h3:ocs0", "h4:ocs0"}};
  auto topology = retest_topology(round, inv, "retest-1");
  REQUIRE(topology.has_value());
  CHECK(topology->name == "retest-1");
  REQUIRE(topology->resolved.size() == 2);
  const auto& cc = topology->per_switch.at("ocs1");
  REQUIRE(cc.size() == 4);
  // h1's TX (input 1) to h2's RX (output 6) and back: 4 ports, inputs 1..4, outputs 5..8.
  CHECK(cc[0].from == "1");
  CHECK(cc[0].to == "6");
  CHECK(cc[1].from == "2");
  CHECK(cc[1].to == "5");

  auto bad = retest_topology({{"h1:ocs0", "h1"}}, inv, "retest-2");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == Errc::invalid_argument);
  CHECK(bad.error().field == "b");
  auto twice = retest_topology({{"h1:ocs0", "h2:ocs0"}, {"h1:ocs0", "h3:ocs0"}}, inv, "retest-3");
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().field == "circuits");
}

TEST_CASE("plan_retest: the worked example of docs/health/blame.md", "[coord][health][retest]") {
  const Inventory inv = lab_inventory(4, 1, 0);
  const std::vector<PairTest> done = {circuit_test("h1:ocs0", "h3:ocs0", false), circuit_test("h2:ocs0", "h4:ocs0", true)};
  const auto rounds = plan_retest(done, inv, PartKind::circuit, 2);
  REQUIRE(rounds.size() == 2);
  CHECK(rounds[0][0].a == "h1:ocs0");
  CHECK(rounds[0][0].b == "h2:ocs0");
  CHECK(rounds[0][1].a == "h3:ocs0");
  CHECK(rounds[0][1].b == "h4:ocs0");
  CHECK(rounds[1][0].b == "h4:ocs0");
  CHECK(rounds[1][1].b == "h2:ocs0");
}
