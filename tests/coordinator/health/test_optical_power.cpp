// The optical power judgement on hand-made readings: a healthy switch, a weak input, a lossy
// output, dark ports, unreadable ports and switches, warning levels, per-port thresholds and
// duplex ports. Each case checks exactly which parts are reported.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "coordinator/health/optical_power.hpp"
#include "coordinator/model/inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::health;

namespace {

// Two NIC ports on a 16x16 switch: h1:ocs0 on input 1 / output 17, h2:ocs0 on input 2 / output
// 18, and the circuit between them both ways (1 -> 18, 2 -> 17).
SwitchPowerInput two_hosts(std::vector<ocs::PortPower> readings) {
  SwitchPowerInput in;
  in.switch_name = "ocs1";
  in.cabled = {{"1", "h1:ocs0", OcsPortRole::input, {}},
               {"17", "h1:ocs0", OcsPortRole::output, {}},
               {"2", "h2:ocs0", OcsPortRole::input, {}},
               {"18", "h2:ocs0", OcsPortRole::output, {}}};
  in.circuits = {{"1", "18", false}, {"2", "17", false}};
  in.readings = std::move(readings);
  in.at_ns = 42;
  return in;
}

std::set<std::string> parts_found(const SwitchPowerJudgement& j) {
  std::set<std::string> parts;
  for (const auto& f : j.findings) parts.insert(f.part);
  return parts;
}

const Finding* finding_on(const SwitchPowerJudgement& j, const std::string& part) {
  for (const auto& f : j.findings) {
    if (f.part == part) return &f;
  }
  return nullptr;
}

const Observation* observation(const SwitchPowerJudgement& j, const std::string& part, const std::string& figure) {
  for (const auto& o : j.observations) {
    if (o.part == part && o.figure == figure) return &o;
  }
  return nullptr;
}

const OcsPortPower& port(const SwitchPowerJudgement& j, const std::string& part) {
  const auto it = std::ranges::find_if(j.ports, [&](const OcsPortPower& p) { return p.part == part; });
  REQUIRE(it != j.ports.end());
  return *it;
}

}  // namespace

TEST_CASE("optical power: a healthy switch gives figures for every port and no finding", "[health][power]") {
  const auto j = judge_switch_power(two_hosts({{"1", 0.0}, {"2", -0.1}, {"17", -1.6}, {"18", -1.5}}));
  CHECK(j.findings.empty());
  REQUIRE(j.ports.size() == 4);
  for (const auto& p : j.ports) {
    CHECK(p.severity == Severity::ok);
    CHECK(p.should_be_lit);
  }
  // Two inputs, two outputs, and a path loss at each output.
  CHECK(j.observations.size() == 6);
  const auto* in1 = observation(j, "ocs1/1", kInputPowerFigure);
  REQUIRE(in1 != nullptr);
  CHECK(in1->value == 0.0);
  CHECK(in1->unit == "dBm");
  CHECK(in1->kind == PartKind::ocs_port);
  CHECK(in1->source == "ocs.power");
  CHECK(in1->at_ns == 42);
  const auto* loss18 = observation(j, "ocs1/18", kPathLossFigure);
  REQUIRE(loss18 != nullptr);
  CHECK(*loss18->value == Approx(1.5));
  CHECK(*observation(j, "ocs1/17", kPathLossFigure)->value == Approx(1.5));
  CHECK(observation(j, "ocs1/17", kOutputPowerFigure)->value == -1.6);
  CHECK(port(j, "ocs1/18").circuit_peer == std::optional<std::string>("1"));
  CHECK(port(j, "ocs1/1").circuit_peer == std::optional<std::string>("18"));
}

TEST_CASE("optical power: a weak input is blamed at the input, not at the output it feeds", "[health][power]") {
  // h1's transmitter arrives 12 dB low; the output it feeds is just as low, but the path is fine.
  const auto j = judge_switch_power(two_hosts({{"1", -12.0}, {"2", 0.0}, {"17", -1.5}, {"18", -13.5}}));
  CHECK(parts_found(j) == std::set<std::string>{"ocs1/1"});
  const auto* f = finding_on(j, "ocs1/1");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::critical);
  CHECK(f->rule == "power.min_input");
  CHECK(f->figure == kInputPowerFigure);
  CHECK(f->value == -12.0);
  CHECK(f->reference == -10.0);
  CHECK(f->message.find("-12.00 dBm < min -10.0 dBm") != std::string::npos);
  CHECK(port(j, "ocs1/18").severity == Severity::ok);
  CHECK(*port(j, "ocs1/18").path_loss_db == Approx(1.5));
}

TEST_CASE("optical power: a lossy output is blamed by its circuit's path loss", "[health][power]") {
  const auto j = judge_switch_power(two_hosts({{"1", 0.0}, {"2", -0.2}, {"17", -13.7}, {"18", -1.5}}));
  CHECK(parts_found(j) == std::set<std::string>{"ocs1/17"});
  const auto* f = finding_on(j, "ocs1/17");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::critical);
  CHECK(f->rule == "power.max_loss");
  CHECK(f->figure == kPathLossFigure);
  CHECK(*f->value == Approx(13.5));
  CHECK(f->reference == 3.0);
  CHECK(f->message.find("circuit 2>17 loses 13.50 dB > max 3.0 dB") != std::string::npos);
  const auto& p = port(j, "ocs1/17");
  CHECK(p.severity == Severity::critical);
  CHECK(p.message == f->message);
}

TEST_CASE("optical power: dark ports that should be lit are critical, dark ones without a circuit are not judged", "[health][power]") {
  SECTION("a dark input: only the input is blamed, the output it feeds has no path loss") {
    const auto j = judge_switch_power(two_hosts({{"1", -60.0}, {"2", 0.0}, {"17", -1.5}, {"18", -60.0}}));
    CHECK(parts_found(j) == std::set<std::string>{"ocs1/1"});
    CHECK(finding_on(j, "ocs1/1")->rule == "power.dark");
    CHECK(finding_on(j, "ocs1/1")->severity == Severity::critical);
    CHECK(port(j, "ocs1/1").rule == kDarkRule);
    CHECK(port(j, "ocs1/18").rule.empty());
    const auto* loss = observation(j, "ocs1/18", kPathLossFigure);
    REQUIRE(loss != nullptr);
    CHECK_FALSE(loss->value);
    CHECK(loss->why_missing == "its input 1 reads dark");
  }
  SECTION("a dark output whose input is lit") {
    const auto j = judge_switch_power(two_hosts({{"1", 0.0}, {"2", 0.0}, {"17", -60.0}, {"18", -1.5}}));
    CHECK(parts_found(j) == std::set<std::string>{"ocs1/17"});
    CHECK(finding_on(j, "ocs1/17")->rule == "power.dark");
    CHECK(finding_on(j, "ocs1/17")->figure == kOutputPowerFigure);
  }
  SECTION("no circuit: dark ports are reported but not judged") {
    auto in = two_hosts({{"1", -60.0}, {"2", -60.0}, {"17", -60.0}, {"18", -60.0}});
    in.circuits.clear();
    const auto j = judge_switch_power(in);
    CHECK(j.findings.empty());
    CHECK(j.ports.size() == 4);
    CHECK(port(j, "ocs1/17").message == "no circuit carries light through it");
    CHECK_FALSE(port(j, "ocs1/17").should_be_lit);
    CHECK(observation(j, "ocs1/17", kOutputPowerFigure)->value == -60.0);
    CHECK(observation(j, "ocs1/17", kPathLossFigure) == nullptr);
  }
  SECTION("no circuit, but the switch sees weak light from the NIC: still judged") {
    auto in = two_hosts({{"1", -15.0}, {"2", -60.0}, {"17", -60.0}, {"18", -60.0}});
    in.circuits.clear();
    const auto j = judge_switch_power(in);
    CHECK(parts_found(j) == std::set<std::string>{"ocs1/1"});
    CHECK(finding_on(j, "ocs1/1")->rule == "power.min_input");
  }
}

TEST_CASE("optical power: a port that cannot be read is unknown, never dropped", "[health][power]") {
  SECTION("the whole switch") {
    auto in = two_hosts({});
    in.readings.reset();
    in.read_error = "power: timed out";
    const auto j = judge_switch_power(in);
    REQUIRE(j.findings.size() == 4);
    for (const auto& f : j.findings) {
      CHECK(f.severity == Severity::unknown);
      CHECK(f.rule == "power.unreadable");
      CHECK(f.message == "the switch's power could not be read: power: timed out");
    }
    CHECK(j.observations.size() == 4);
    for (const auto& o : j.observations) {
      CHECK_FALSE(o.value);
      CHECK_FALSE(o.why_missing.empty());
    }
    CHECK(port(j, "ocs1/2").severity == Severity::unknown);
  }
  SECTION("one port missing from the readings") {
    const auto j = judge_switch_power(two_hosts({{"1", 0.0}, {"2", 0.0}, {"17", -1.5}}));
    CHECK(parts_found(j) == std::set<std::string>{"ocs1/18"});
    CHECK(finding_on(j, "ocs1/18")->severity == Severity::unknown);
    CHECK(finding_on(j, "ocs1/18")->message == "the switch gave no reading for port 18");
  }
  SECTION("an unreadable input leaves its output's path loss missing, the output judged only for darkness") {
    const auto j = judge_switch_power(two_hosts({{"2", 0.0}, {"17", -1.5}, {"18", -9.0}}));
    CHECK(parts_found(j) == std::set<std::string>{"ocs1/1"});
    const auto* loss = observation(j, "ocs1/18", kPathLossFigure);
    REQUIRE(loss != nullptr);
    CHECK_FALSE(loss->value);
    CHECK(loss->why_missing == "its input 1 could not be read");
  }
}

TEST_CASE("optical power: warning levels sit between ok and the critical limits", "[health][power]") {
  auto in = two_hosts({{"1", -7.0}, {"2", 0.0}, {"17", -2.6}, {"18", -8.5}});
  for (auto& c : in.cabled) {
    c.limits.warn_input_dbm = -6.0;
    c.limits.warn_loss_db = 2.0;
  }
  const auto j = judge_switch_power(in);
  CHECK(parts_found(j) == std::set<std::string>{"ocs1/1", "ocs1/17"});
  CHECK(finding_on(j, "ocs1/1")->severity == Severity::warning);
  CHECK(finding_on(j, "ocs1/1")->rule == "power.warn_input");
  CHECK(finding_on(j, "ocs1/17")->severity == Severity::warning);
  CHECK(finding_on(j, "ocs1/17")->rule == "power.warn_loss");
  CHECK(port(j, "ocs1/18").severity == Severity::ok);
}

TEST_CASE("optical power: thresholds come from the inventory, the port's over the switch's over the defaults", "[health][power]") {
  const char* yaml = R"(version: 1
switches:
  - name: ocs1
    kind: ocs
    uri: "polatis-tl1://admin@127.0.0.1:3082"
    power: {min_input_dbm: -8.0, max_loss_db: 2.5}
    power_ports:
      "1": {min_input_dbm: -13}
      "17": {max_loss_db: 15, warn_loss_db: 4}
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:7470"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 1, rx: 17}}
  - name: h2
    agent: {url: "http://127.0.0.1:7471"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 2, rx: 18}}
)";
  auto inv = parse_inventory(yaml, "inventory.yaml", "");
  REQUIRE(inv);
  const auto& sw = inv->switches.at(0);
  CHECK(power_limits_for(sw, "1").min_input_dbm == -13.0);
  CHECK(power_limits_for(sw, "1").max_loss_db == 2.5);
  CHECK(power_limits_for(sw, "2").min_input_dbm == -8.0);
  CHECK(power_limits_for(sw, "17").max_loss_db == 15.0);
  CHECK(power_limits_for(sw, "17").warn_loss_db == 4.0);
  CHECK(power_limits_for(sw, "17").dark_dbm == -40.0);

  const auto found = cabled_ocs_ports(*inv, sw);
  REQUIRE(found);
  const auto& cabled = *found;
  REQUIRE(cabled.size() == 4);
  CHECK(cabled[0].switch_port == "1");
  CHECK(cabled[0].role == OcsPortRole::input);
  CHECK(cabled[1].switch_port == "17");
  CHECK(cabled[1].role == OcsPortRole::output);
  CHECK(cabled[2].nic_port == "h2:ocs0");

  // Input 1 at -12 passes its own -13; input 2 at -9 fails the switch's -8; output 17 losing
  // 13.5 dB is under its own 15 but over its warning level; output 18 loses 3 > 2.5.
  SwitchPowerInput in;
  in.switch_name = "ocs1";
  in.cabled = cabled;
  in.circuits = {{"1", "18", false}, {"2", "17", false}};
  in.readings = std::vector<ocs::PortPower>{{"1", -12.0}, {"2", -9.0}, {"17", -22.5}, {"18", -15.0}};
  const auto j = judge_switch_power(in);
  CHECK(parts_found(j) == std::set<std::string>{"ocs1/2", "ocs1/17", "ocs1/18"});
  CHECK(finding_on(j, "ocs1/2")->severity == Severity::critical);
  CHECK(finding_on(j, "ocs1/17")->severity == Severity::warning);
  CHECK(finding_on(j, "ocs1/18")->rule == "power.max_loss");
}

TEST_CASE("optical power: a duplex port is held to the input limits", "[health][power]") {
  SwitchPowerInput in;
  in.switch_name = "ocs2";
  in.cabled = {{"3", "h1:ocs0", OcsPortRole::duplex, {}}, {"5", "h2:ocs0", OcsPortRole::duplex, {}}, {"7", "h3:ocs0", OcsPortRole::duplex, {}}};
  in.circuits = {{"3", "5", true}};
  in.readings = std::vector<ocs::PortPower>{{"3", -1.5}, {"5", -11.0}, {"7", -60.0}};
  const auto j = judge_switch_power(in);
  CHECK(parts_found(j) == std::set<std::string>{"ocs2/5"});
  CHECK(finding_on(j, "ocs2/5")->rule == "power.min_input");
  CHECK(port(j, "ocs2/5").circuit_peer == std::optional<std::string>("3"));
  CHECK(port(j, "ocs2/3").circuit_peer == std::optional<std::string>("5"));
  CHECK_FALSE(port(j, "ocs2/7").should_be_lit);
  CHECK(observation(j, "ocs2/3", kOutputPowerFigure)->value == -1.5);
}

TEST_CASE("optical power: ports the inventory leaves without their map are named, never skipped", "[health][power]") {
  const char* yaml = R"(version: 1
switches:
  - {name: ocs1, kind: ocs, uri: "polatis-tl1://admin@127.0.0.1:3082"}
  - {name: ocs2, kind: ocs, uri: "polatis-tl1://admin@127.0.0.1:3083"}
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:7470"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 1, rx: 17}}
      - {name: ocs1, ocs: {switch: ocs2, port: 4}}
  - name: h2
    agent: {url: "http://127.0.0.1:7471"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1}}
  - name: h3
    agent: {url: "http://127.0.0.1:7472"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1}}
)";
  auto inv = parse_inventory(yaml, "inventory.yaml", "");
  REQUIRE(inv);
  const auto cabled = cabled_ocs_ports(*inv, inv->switches.at(0));
  REQUIRE_FALSE(cabled);
  CHECK(cabled.error().cause == Cause::cabling_unmapped);
  CHECK(cabled.error().message ==
        "switch ocs1: no cabling map for h2:ocs0, h3:ocs0 (the inventory says only `ocs: {switch: ocs1}`; "
        "run `mixnet-coord cabling discover`)");
  // The fully mapped switch beside it is still judged.
  const auto other = cabled_ocs_ports(*inv, inv->switches.at(1));
  REQUIRE(other);
  REQUIRE(other->size() == 1);
  CHECK((*other)[0].role == OcsPortRole::duplex);
}
