// Blame: each lab fault (docs/lab.md) blamed on exactly its part and nothing else, after the
// first pass (the cover topologies, all electrical pairs) and the planned retests; the circuit
// rule; "unknown" for a port that could not be judged; evidence and order.
#include <catch2/catch.hpp>

#include <algorithm>

#include "coordinator/health/blame.hpp"
#include "coordinator/health/blame_inputs.hpp"
#include "health_lab.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::health;
using namespace mixnet::coord::health::testing;

namespace {

// The default lab: 4 hosts x 3 OCS ports, one electrical port each.
BlameInput lab_input(const Inventory& inv, const FaultModel& model, const std::set<std::string>& unreachable = {}) {
  BlameInput in;
  in.tests = with_retests(cover_tests(inv, model), inv, PartKind::circuit, model, unreachable);
  auto eps = with_retests(eps_all_pairs(inv, model), inv, PartKind::eps_pair, model, unreachable);
  in.tests.insert(in.tests.end(), eps.begin(), eps.end());
  in.unreachable_hosts = unreachable;
  in.host_ports = host_ports_of(inv);
  in.ocs_port_owner = ocs_port_owners(inv);
  return in;
}

std::vector<std::string> parts(const std::vector<Blame>& blames) {
  std::vector<std::string> out;
  for (const auto& b : blames) out.push_back(fmt::format("{} {} {}", to_string(b.severity), to_string(b.kind), b.part));
  return out;
}

FaultModel bad_port(const std::string& port, Outcome failure) {
  return [port, failure](const std::string& a, const std::string& b) { return a == port || b == port ? failure : Outcome{}; };
}

Finding finding(Severity s, PartKind kind, const std::string& part, const std::string& figure, const std::string& message) {
  Finding f;
  f.severity = s;
  f.kind = kind;
  f.part = part;
  f.figure = figure;
  f.rule = "test-rule";
  f.message = message;
  return f;
}

std::size_t failed_partners_in(const Blame& b) {
  std::set<std::string> partners;
  for (const auto& t : b.tests) {
    if (!t.passed) partners.insert(t.a == b.part ? t.b : t.a);
  }
  return partners.size();
}

}  // namespace

TEST_CASE("blame: a healthy lab blames nothing", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  const auto in = lab_input(inv, healthy);
  CHECK(in.tests.size() > 12);
  CHECK(blame(in).empty());
}

TEST_CASE("blame: fault cap on one port blames that port, with its evidence", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  const auto in = lab_input(inv, bad_port("h3:ocs1", Outcome{false, 3.1, "3.1 Gb/s < 9.0"}));
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical port h3:ocs1"});
  const Blame& b = blames[0];
  CHECK(b.hosts == std::vector<std::string>{"h3"});
  CHECK(b.reason == "h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)");
  CHECK(failed_partners_in(b) >= 2);
  CHECK(std::ranges::all_of(b.tests, [](const PairTest& t) { return t.a == "h3:ocs1" || t.b == "h3:ocs1"; }));
}

TEST_CASE("blame: fault cap on an electrical port blames it after all its pairs", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  const auto in = lab_input(inv, bad_port("h2:eps0", Outcome{false, 1.2, "1.2 Gb/s < 9.0"}));
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical port h2:eps0"});
  CHECK(blames[0].reason == "h2:eps0 failed with 3 partners (1.2 Gb/s < 9.0)");
}

TEST_CASE("blame: fault dark blames the dark port, not the partners that read dark with it", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  auto in = lab_input(inv, bad_port("h2:ocs0", Outcome{false, std::nullopt, "no carrier"}));
  // links.verify's verdicts: the dark port and every partner it had read dark.
  for (const auto& t : in.tests) {
    if (t.passed) continue;
    in.findings.push_back(finding(Severity::critical, PartKind::port, t.a, "link_verdict", "dark"));
    in.findings.push_back(finding(Severity::critical, PartKind::port, t.b, "link_verdict", "dark"));
  }
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical port h2:ocs0"});
  CHECK(blames[0].reason == "h2:ocs0 failed with 2 partners (no carrier)");
  CHECK(std::ranges::count_if(blames[0].findings, [](const Finding& f) { return f.figure == "link_verdict"; }) >= 2);
}

TEST_CASE("blame: fault miswire blames the two swapped ports and only them", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  // The fibres of h1:ocs1 and h3:ocs2 are swapped: a circuit works only when it joins both of
  // them or neither.
  const std::set<std::string> swapped = {"h1:ocs1", "h3:ocs2"};
  const FaultModel model = [&](const std::string& a, const std::string& b) {
    const bool ok = swapped.contains(a) == swapped.contains(b);
    return ok ? Outcome{} : Outcome{false, std::nullopt, "connect: no route to peer"};
  };
  const auto blames = blame(lab_input(inv, model));
  CHECK(parts(blames) == std::vector<std::string>{"critical port h1:ocs1", "critical port h3:ocs2"});
}

TEST_CASE("blame: fault flap blames the port on its carrier changes alone", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  auto in = lab_input(inv, healthy);
  in.findings.push_back(finding(Severity::critical, PartKind::port, "h4:ocs2", "carrier_changes", "6 > 2 since the last run"));
  in.findings.push_back(finding(Severity::warning, PartKind::port, "h1:ocs0", "symbol_error", "3 new"));
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical port h4:ocs2"});
  CHECK(blames[0].reason == "h4:ocs2 carrier_changes 6 > 2 since the last run");
  CHECK(blames[0].hosts == std::vector<std::string>{"h4"});
  CHECK(blames[0].findings.size() == 1);
  CHECK_FALSE(blames[0].tests.empty());
}

TEST_CASE("blame: a weak switch port is blamed on its light, and takes its host out", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  auto in = lab_input(inv, healthy);
  // h2:ocs1 is the 5th OCS port: its TX lands on input 5.
  REQUIRE(in.ocs_port_owner.at("ocs1/5") == "h2:ocs1");
  in.findings.push_back(finding(Severity::critical, PartKind::ocs_port, "ocs1/5", "input_power_dbm", "-9.4 dBm < -6.0"));
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical ocs_port ocs1/5"});
  CHECK(blames[0].reason == "ocs1/5 (h2:ocs1) input_power_dbm -9.4 dBm < -6.0");
  CHECK(blames[0].hosts == std::vector<std::string>{"h2"});
  CHECK(std::ranges::all_of(blames[0].tests, [](const PairTest& t) { return t.a == "h2:ocs1" || t.b == "h2:ocs1"; }));
}

TEST_CASE("blame: a port's own evidence takes in the light at its switch port", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  auto in = lab_input(inv, healthy);
  in.findings.push_back(finding(Severity::critical, PartKind::port, "h2:ocs1", "rx_crc_errors", "120 new"));
  in.findings.push_back(finding(Severity::critical, PartKind::ocs_port, "ocs1/5", "input_power_dbm", "-9.4 dBm < -6.0"));
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical port h2:ocs1"});
  CHECK(blames[0].findings.size() == 2);
}

TEST_CASE("blame: a killed agent blames its host only, never its peers", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  const FaultModel model = [](const std::string& a, const std::string& b) {
    return a.starts_with("h3:") || b.starts_with("h3:") ? Outcome{false, std::nullopt, "agent h3: connection refused"} : Outcome{};
  };
  const auto in = lab_input(inv, model, {"h3"});
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical host h3"});
  CHECK(blames[0].reason == "h3 agent unreachable");
  CHECK(blames[0].hosts == std::vector<std::string>{"h3"});
  CHECK(std::ranges::count_if(blames[0].tests, [](const PairTest& t) { return !t.passed; }) >= 4);
}

TEST_CASE("blame: a host whose every tested port fails is blamed as the host", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  const FaultModel model = [](const std::string& a, const std::string& b) {
    return a.starts_with("h2:") || b.starts_with("h2:") ? Outcome{false, 0.5, "0.5 Gb/s < 9.0"} : Outcome{};
  };
  const auto blames = blame(lab_input(inv, model));
  REQUIRE(parts(blames) == std::vector<std::string>{"critical host h2"});
  CHECK(blames[0].reason.starts_with("h2 all 4 tested ports blamed; h2:"));
  CHECK(blames[0].hosts == std::vector<std::string>{"h2"});
}

TEST_CASE("blame: a circuit is blamed when it failed and both its ends passed with others", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  auto cover = generate_cover("cover", inv);
  REQUIRE(cover.has_value());
  const auto& bad = (*cover)[0].circuits.front();
  const std::string a = bad.a.str();
  const std::string b = bad.b.str();
  const FaultModel model = [&](const std::string& x, const std::string& y) {
    return x == a && y == b ? Outcome{false, 4.0, "4.0 Gb/s < 9.0"} : Outcome{};
  };
  const auto in = lab_input(inv, model);
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical circuit " + a + ">" + b});
  CHECK(blames[0].hosts.empty());
  CHECK(blames[0].reason == a + ">" + b + " failed 2 times (4.0 Gb/s < 9.0) but both ends passed with others");
  // The first pass and its same-pair retest, both failed.
  REQUIRE(blames[0].tests.size() == 2);
  CHECK(blames[0].tests[0].round == 0);
  CHECK(blames[0].tests[1].round == 1);
  CHECK_FALSE(blames[0].tests[0].passed);
  CHECK_FALSE(blames[0].tests[1].passed);
}

TEST_CASE("blame: a circuit that failed once and passed its retest is not blamed", "[coord][health][blame]") {
  // The false blame CI saw: one slow sample on a busy host (sanitized agents), both ends fine.
  const Inventory inv = lab_inventory(4, 3, 1);
  auto cover = generate_cover("cover", inv);
  REQUIRE(cover.has_value());
  const auto& slow = (*cover)[0].circuits.front();
  const std::string a = slow.a.str();
  const std::string b = slow.b.str();
  int seen = 0;
  const FaultModel model = [&](const std::string& x, const std::string& y) {
    if (x == a && y == b && seen++ == 0) return Outcome{false, 0.204, "0.204 Gb/s < 0.214 (50% of the run's median 0.429 Gb/s)"};
    return Outcome{};
  };
  const auto in = lab_input(inv, model);
  CHECK(seen == 2);   // tested, then retested
  CHECK(blame(in).empty());
}

TEST_CASE("blame: a circuit that failed once and was not retested is unknown, not passed", "[coord][health][blame]") {
  BlameInput in;
  auto t = [](std::string a, std::string b, bool ok) {
    return PairTest{.a = a, .b = b, .via = PartKind::circuit, .path = a + ">" + b, .round = 0, .passed = ok,
                    .gbps = ok ? 9.4 : 2.0, .threshold_gbps = 9.0, .detail = ok ? "" : "2.0 Gb/s < 9.0"};
  };
  in.tests = {t("h1:ocs0", "h2:ocs0", false), t("h1:ocs0", "h3:ocs0", true), t("h2:ocs0", "h3:ocs0", true)};
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"unknown circuit h1:ocs0>h2:ocs0"});
  CHECK(blames[0].reason == "h1:ocs0>h2:ocs0 failed (2.0 Gb/s < 9.0) and was not retested; both ends passed with others");
  CHECK(blames[0].hosts.empty());
}

TEST_CASE("blame: the same on an electrical pair", "[coord][health][blame]") {
  BlameInput in;
  auto t = [](std::string a, std::string b, bool ok) {
    return PairTest{.a = a, .b = b, .via = PartKind::eps_pair, .path = a + "~" + b, .round = 0, .passed = ok,
                    .gbps = ok ? 9.4 : 2.0, .threshold_gbps = 9.0, .detail = ok ? "" : "2.0 Gb/s < 9.0"};
  };
  in.tests = {t("h2:eps0", "h1:eps0", false), t("h1:eps0", "h3:eps0", true), t("h2:eps0", "h3:eps0", true)};
  auto retest = t("h2:eps0", "h1:eps0", false);
  retest.round = 1;
  in.tests.push_back(retest);
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"critical eps_pair h1:eps0~h2:eps0"});
  CHECK(blames[0].tests.size() == 2);
}

TEST_CASE("blame: a port that failed with its only partner and was not retested is unknown", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(2, 1, 0);
  const auto in = lab_input(inv, bad_port("h1:ocs0", Outcome{false, 3.1, "3.1 Gb/s < 9.0"}));
  REQUIRE(in.tests.size() == 1);   // no partner left to retest with
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"unknown port h1:ocs0", "unknown port h2:ocs0"});
  CHECK(blames[0].reason == "h1:ocs0 failed with its only partner h2:ocs0 (3.1 Gb/s < 9.0) and was not retested with another");
  CHECK(blames[0].hosts.empty());
  CHECK(blames[1].hosts.empty());
}

TEST_CASE("blame: a port whose partners never passed elsewhere is unknown, not blamed", "[coord][health][blame]") {
  BlameInput in;
  auto t = [](std::string a, std::string b) {
    return PairTest{.a = a, .b = b, .via = PartKind::circuit, .path = a + ">" + b, .round = 0, .passed = false,
                    .gbps = std::nullopt, .threshold_gbps = 9.0, .detail = "no carrier"};
  };
  // Everything failed: nothing is proven good, so nothing can be blamed on the partner rule.
  in.tests = {t("h1:ocs0", "h2:ocs0"), t("h1:ocs0", "h3:ocs0"), t("h2:ocs0", "h3:ocs0")};
  const auto blames = blame(in);
  REQUIRE(blames.size() == 3);
  for (const auto& b : blames) {
    CHECK(b.severity == Severity::unknown);
    CHECK(b.reason.ends_with("but only 0 of them passed with another port"));
  }
}

TEST_CASE("blame: a counter that could not be read makes its port unknown", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  auto in = lab_input(inv, healthy);
  in.findings.push_back(finding(Severity::unknown, PartKind::port, "h1:eps0", "carrier_changes", "missing: sysfs read failed"));
  const auto blames = blame(in);
  REQUIRE(parts(blames) == std::vector<std::string>{"unknown port h1:eps0"});
  CHECK(blames[0].hosts.empty());
}

TEST_CASE("blame: a bandwidth finding on a port blames only through the partner rule", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  const auto model = bad_port("h3:ocs1", Outcome{false, 3.1, "3.1 Gb/s < 9.0"});
  auto in = lab_input(inv, model);
  // The rules judge each end's figure, so the partners' figures fail too.
  for (const auto& t : in.tests) {
    if (!t.passed) {
      in.findings.push_back(finding(Severity::critical, PartKind::port, t.a, "bandwidth_gbps", "3.1 Gb/s < 9.0"));
      in.findings.push_back(finding(Severity::critical, PartKind::port, t.b, "bandwidth_gbps", "3.1 Gb/s < 9.0"));
    }
  }
  CHECK(parts(blame(in)) == std::vector<std::string>{"critical port h3:ocs1"});
}

TEST_CASE("blame: the order of the input does not change the answer", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(4, 3, 1);
  const std::set<std::string> swapped = {"h1:ocs1", "h3:ocs2"};
  const FaultModel model = [&](const std::string& a, const std::string& b) {
    if (a == "h2:eps0" || b == "h2:eps0") return Outcome{false, 1.0, "1.0 Gb/s < 9.0"};
    return swapped.contains(a) == swapped.contains(b) ? Outcome{} : Outcome{false, std::nullopt, "no route"};
  };
  auto in = lab_input(inv, model);
  in.findings.push_back(finding(Severity::critical, PartKind::port, "h4:ocs0", "carrier_changes", "5 > 2"));
  const auto first = blame(in);
  std::ranges::reverse(in.tests);
  std::ranges::reverse(in.findings);
  const auto second = blame(in);
  REQUIRE(parts(first) == parts(second));
  CHECK(parts(first) ==
        std::vector<std::string>{"critical port h1:ocs1", "critical port h2:eps0", "critical port h3:ocs2", "critical port h4:ocs0"});
  for (std::size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].reason == second[i].reason);
    REQUIRE(first[i].tests.size() == second[i].tests.size());
    for (std::size_t j = 0; j < first[i].tests.size(); ++j) CHECK(first[i].tests[j].a == second[i].tests[j].a);
  }
}

TEST_CASE("blame: a partner blamed on its own evidence does not count against the ports it met", "[coord][health][blame]") {
  BlameInput in;
  auto t = [](std::string a, std::string b, bool ok) {
    return PairTest{.a = a, .b = b, .via = PartKind::circuit, .path = a + ">" + b, .round = 0, .passed = ok,
                    .gbps = ok ? 9.4 : 2.0, .threshold_gbps = 9.0, .detail = ok ? "" : "2.0 Gb/s < 9.0"};
  };
  // h2:ocs0 flapped during its test with h1:ocs0; h1:ocs0 also failed with h3:ocs0 but passed
  // with h4:ocs0. Only one of h1's failures is credible, so h1 is not blamed: the flapping port
  // is, and the h1>h3 circuit (both ends passed with others).
  in.tests = {t("h1:ocs0", "h2:ocs0", false), t("h1:ocs0", "h3:ocs0", false), t("h1:ocs0", "h4:ocs0", true),
              t("h2:ocs0", "h5:ocs0", true), t("h3:ocs0", "h5:ocs0", true)};
  auto retest = t("h1:ocs0", "h3:ocs0", false);   // the h1>h3 circuit's retest failed too
  retest.round = 1;
  in.tests.push_back(retest);
  in.findings.push_back(finding(Severity::critical, PartKind::port, "h2:ocs0", "carrier_changes", "9 > 2"));
  const auto blames = blame(in);
  CHECK(parts(blames) == std::vector<std::string>{"critical port h2:ocs0", "critical circuit h1:ocs0>h3:ocs0"});
}

TEST_CASE("blame: the 32-host lab's size, a cap and a miswire, nothing else blamed", "[coord][health][blame]") {
  const Inventory inv = lab_inventory(32, 6, 2);
  const std::set<std::string> swapped = {"h1:ocs0", "h20:ocs5"};
  const FaultModel model = [&](const std::string& a, const std::string& b) {
    if (a == "h7:ocs3" || b == "h7:ocs3") return Outcome{false, 3.1, "3.1 Gb/s < 9.0"};
    if (a == "h9:eps1" || b == "h9:eps1") return Outcome{false, 0.9, "0.9 Gb/s < 9.0"};
    return swapped.contains(a) == swapped.contains(b) ? Outcome{} : Outcome{false, std::nullopt, "no route"};
  };
  const auto in = lab_input(inv, model);
  CHECK(in.tests.size() > 2000);
  CHECK(parts(blame(in)) ==
        std::vector<std::string>{"critical port h1:ocs0", "critical port h20:ocs5", "critical port h7:ocs3", "critical port h9:eps1"});
}
