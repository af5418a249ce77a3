// ocs.power against the OCS emulator in process (Polatis TL1 and RESTCONF): a healthy switch with
// a topology in place passes, a weak NIC port (extra loss on its input and its output) is reported
// on exactly its two OCS ports, with the observations and findings in the run's ledger; a switch
// that does not answer makes every port unknown; bad arguments are refused at validation.
#include <catch2/catch.hpp>

#include <set>

#include "coordinator/health/health_ledger.hpp"
#include "coordinator/modules/ocs_power.hpp"
#include "tests/coordinator/support/step_harness.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tools/ocs-emu/emulator.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

// Four hosts, one NIC port each, on a 16x16 switch: TX on input i, RX on output 16+i.
std::string inventory(const std::string& uri) {
  std::string y = "version: 1\nname: power-test\nhosts:\n";
  for (int i = 1; i <= 4; ++i) {
    y += "  - name: h" + std::to_string(i) + "\n    agent: {url: \"http://127.0.0.1:9\"}\n    ports:\n";
    y += "      - name: ocs0\n        ocs: {switch: ocs1, tx: " + std::to_string(i) + ", rx: " + std::to_string(16 + i) + "}\n";
  }
  y += "switches:\n  - name: ocs1\n    kind: ocs\n    uri: \"" + uri + "\"\n    power: {min_input_dbm: -8.0, max_loss_db: 3.0}\n";
  return y;
}

std::set<std::string> failed_items(const CollectingSink& sink) {
  std::set<std::string> ids;
  for (const auto& it : sink.items()) {
    if (!it.passed()) ids.insert(it.id);
  }
  return ids;
}

std::set<std::string> finding_parts(const RunState& state) {
  std::set<std::string> parts;
  for (const auto& f : state.health->snapshot().findings) parts.insert(f.part);
  return parts;
}

}  // namespace

TEST_CASE("ocs.power: a weak NIC port is reported on exactly its OCS ports", "[ocs][power]") {
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  o.loss_noise_db = 0.0;
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  const bool rest = GENERATE(false, true);
  const std::string uri = rest ? "polatis-rest://admin:root@127.0.0.1:" + std::to_string(emu.rest_port())
                               : "polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port());
  INFO(uri);
  // h1 <-> h2 and h3 <-> h4, both ways.
  REQUIRE(emu.preset({{1, 18, false}, {2, 17, false}, {3, 20, false}, {4, 19, false}}));
  ScratchDir dir("mixnet-ocs-power");
  StepHarness h(inventory(uri), "", dir.path, dir.path + "/leases");
  OcsPowerModule power;

  auto r = h.run(power, json::object());
  INFO(r.message);
  REQUIRE(r.ok);
  REQUIRE(h.sink.items().size() == 8);
  CHECK(failed_items(h.sink).empty());
  const auto* in1 = h.sink.find("ocs1/1");
  REQUIRE(in1 != nullptr);
  CHECK(in1->kind == "ocs_port");
  CHECK(in1->hosts == std::vector<std::string>{"h1"});
  CHECK(in1->data.at("nic_port") == "h1:ocs0");
  CHECK(in1->data.at("role") == "input");
  CHECK(in1->data.at("dbm").get<double>() == Approx(0.0));
  const auto* out18 = h.sink.find("ocs1/18");
  REQUIRE(out18 != nullptr);
  CHECK(out18->data.at("path_loss_db").get<double>() == Approx(1.5));
  CHECK(out18->data.at("circuit_peer") == "1");
  CHECK(r.data.at("switches").at("ocs1").at("findings") == 0);
  // 4 inputs + 4 outputs + 4 path losses.
  CHECK(h.state.health->snapshot().observations.size() == 12);
  CHECK(h.state.health->snapshot().findings.empty());

  // h1:ocs0 goes weak: 10 dB lost at its input (from its TX) and at its output (towards its RX).
  REQUIRE(emu.set_port_extra_loss(1, 10.0));
  REQUIRE(emu.set_port_extra_loss(17, 10.0));
  h.sink.clear();
  h.state.health.reset();
  r = h.run(power, json::object());
  REQUIRE(r.ok);
  CHECK(failed_items(h.sink) == std::set<std::string>{"ocs1/1", "ocs1/17"});
  CHECK(finding_parts(h.state) == std::set<std::string>{"ocs1/1", "ocs1/17"});
  CHECK(h.sink.find("ocs1/1")->message.find("-10.00 dBm < min -8.0 dBm") != std::string::npos);
  CHECK(h.sink.find("ocs1/17")->message.find("circuit 2>17 loses 11.50 dB > max 3.0 dB") != std::string::npos);
  // The output h1 feeds reads low too, but its path is fine: not blamed.
  CHECK(h.sink.find("ocs1/18")->status == "ok");
  CHECK(h.sink.find("ocs1/18")->data.at("dbm").get<double>() == Approx(-11.5));
  CHECK(r.data.at("switches").at("ocs1").at("findings") == 2);

  // Healed: nothing reported.
  REQUIRE(emu.set_port_extra_loss(1, 0.0));
  REQUIRE(emu.set_port_extra_loss(17, 0.0));
  h.sink.clear();
  h.state.health.reset();
  r = h.run(power, json::object());
  REQUIRE(r.ok);
  CHECK(failed_items(h.sink).empty());
  CHECK(h.state.health->snapshot().findings.empty());

  // A failed input port passes no light: dark at the input, and the output it feeds is not blamed.
  REQUIRE(emu.set_port_failed(2, true));
  h.sink.clear();
  h.state.health.reset();
  r = h.run(power, json::object());
  REQUIRE(r.ok);
  CHECK(failed_items(h.sink) == std::set<std::string>{"ocs1/2"});
  CHECK(h.sink.find("ocs1/2")->status == "dark");
  CHECK(h.sink.find("ocs1/17")->status == "ok");
}

TEST_CASE("ocs.power: a switch that cannot be reached makes every cabled port unknown", "[ocs][power]") {
  ScratchDir dir("mixnet-ocs-power");
  // Port 1 on loopback: nothing listens there.
  StepHarness h(inventory("polatis-tl1://admin:root@127.0.0.1:1"), "", dir.path, dir.path + "/leases");
  OcsPowerModule power;
  const auto r = h.run(power, json::object(), false, std::chrono::milliseconds(20'000));
  REQUIRE(r.ok);
  REQUIRE(h.sink.items().size() == 8);
  CHECK(failed_items(h.sink).size() == 8);
  const auto snap = h.state.health->snapshot();
  REQUIRE(snap.findings.size() == 8);
  for (const auto& f : snap.findings) {
    CHECK(f.severity == health::Severity::unknown);
    CHECK(f.rule == "power.unreadable");
  }
  for (const auto& ob : snap.observations) CHECK_FALSE(ob.value);
  CHECK(r.data.at("switches").at("ocs1").contains("error"));
}

TEST_CASE("ocs.power: arguments are checked against the inventory", "[ocs][power]") {
  ScratchDir dir("mixnet-ocs-power");
  StepHarness h(inventory("polatis-tl1://admin:root@127.0.0.1:1"), "", dir.path, dir.path + "/leases");
  OcsPowerModule power;
  CHECK(h.validate(power, json::object()));
  CHECK(h.validate(power, {{"switch", "ocs1"}}));
  auto bad = h.validate(power, {{"switch", "ocs9"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field == "switch");
  bad = h.validate(power, {{"ports", "all"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::invalid_argument);
}

TEST_CASE("ocs.power: ports without their cabling map fail the step, named, before any switch is read", "[ocs][power]") {
  ScratchDir dir("mixnet-ocs-power");
  // h2 and h4 say only which switch they are on; nothing listens at the switch's address, so a
  // read would make every port unknown instead.
  std::string partial = inventory("polatis-tl1://admin:root@127.0.0.1:1");
  for (const char* cabling : {"{switch: ocs1, tx: 2, rx: 18}", "{switch: ocs1, tx: 4, rx: 20}"}) {
    partial.replace(partial.find(cabling), std::string(cabling).size(), "{switch: ocs1}");
  }
  StepHarness h(partial, "", dir.path, dir.path + "/leases");
  OcsPowerModule power;
  const auto r = h.run(power, json::object());
  CHECK_FALSE(r.ok);
  CHECK(r.message ==
        "invalid_argument: ocs.power: no cabling map for h2:ocs0, h4:ocs0 (the inventory says only `ocs: {switch: ocs1}`; "
        "run `mixnet-coord cabling discover`)");
  CHECK(h.sink.items().empty());
}
