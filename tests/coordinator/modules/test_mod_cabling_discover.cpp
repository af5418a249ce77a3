// cabling.discover without a lab: its arguments are checked against the inventory, --check touches
// nothing, agents that do not answer make their ports unreachable without touching the switch,
// and the switch side reads an NxM switch's inputs and outputs by Polatis numbering and changes
// only what a round changes (the lab tests, tests/integration/coord_lab/test_coord_lab_cabling.cpp,
// run the whole discovery).
#include <catch2/catch.hpp>

#include "coordinator/modules/cabling_discover.hpp"
#include "coordinator/modules/cabling_switch_side.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"
#include "tests/coordinator/support/step_harness.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tools/ocs-emu/emulator.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

// Three hosts, one NIC port each on ocs1 (h2's without its map), agents nobody answers for.
std::string discovery_inventory(const std::string& uri) {
  return "version: 1\nname: cabling-test\nhosts:\n"
         "  - name: h1\n    agent: {url: \"http://127.0.0.1:9\"}\n    ports:\n      - name: ocs0\n        ocs: {switch: ocs1, tx: 1, rx: 17}\n"
         "  - name: h2\n    agent: {url: \"http://127.0.0.1:9\"}\n    ports:\n      - name: ocs0\n        ocs: {switch: ocs1}\n"
         "  - name: h3\n    agent: {url: \"http://127.0.0.1:9\"}\n    ports:\n      - name: ocs0\n        ocs: {switch: ocs1, tx: 3, rx: 19}\n"
         "switches:\n  - name: ocs1\n    kind: ocs\n    uri: \"" +
         uri + "\"\n  - name: eps1\n    kind: eps\n";
}

}  // namespace

TEST_CASE("cabling.discover: arguments are checked against the inventory, each error naming its field", "[cabling][modules]") {
  ScratchDir dir("mixnet-cabling-args");
  StepHarness h(discovery_inventory("polatis-tl1://admin:root@127.0.0.1:1"), "", dir.path, dir.path + "/leases");
  CablingDiscoverModule discover;
  CHECK(h.validate(discover, json::object()));
  CHECK(h.validate(discover, {{"switch", "ocs1"}, {"out", "/tmp/found.yaml"}, {"link_timeout", 6.5}, {"settle_ms", 0}}));
  for (const auto& [args, field] : std::vector<std::pair<json, std::string>>{
           {{{"switch", "eps1"}}, "switch"},          // not an OCS
           {{{"switch", "ocs9"}}, "switch"},
           {{{"out", "found.yaml"}}, "out"},          // relative
           {{{"link_timeout", 0.01}}, "link_timeout"},
           {{{"link_timeout", "three"}}, "link_timeout"},
           {{{"settle_ms", -1}}, "settle_ms"},
           {{{"ports", "all"}}, "ports"}}) {
    INFO(args.dump());
    auto bad = h.validate(discover, args);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::invalid_argument);
    CHECK(bad.error().field == field);
  }
}

TEST_CASE("cabling.discover: --check says what it would do and touches neither switch nor agent", "[cabling][modules]") {
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  REQUIRE(emu.preset({{1, 18, false}}));
  ScratchDir dir("mixnet-cabling-check");
  StepHarness h(discovery_inventory("polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port())), "", dir.path,
                dir.path + "/leases", true);
  CablingDiscoverModule discover;
  const auto r = h.run(discover, json::object(), true);
  CHECK(r.ok);
  CHECK(r.changed);
  CHECK(r.message.find("would discover the cabling of 3 NIC port(s) on 1 switch(es)") != std::string::npos);
  CHECK(h.sink.items().empty());
  CHECK(emu.connections() == std::vector<ocs_emu::Connection>{{1, 18, false}});
}

TEST_CASE("cabling.discover: agents that do not answer make their ports unreachable, and the switch is left as it was",
          "[cabling][modules]") {
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  REQUIRE(emu.preset({{1, 18, false}, {2, 17, false}}));
  ScratchDir dir("mixnet-cabling-dead");
  StepHarness h(discovery_inventory("polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port())), "", dir.path,
                dir.path + "/leases");
  CablingDiscoverModule discover;
  const auto r = h.run(discover, json::object(), false, std::chrono::milliseconds(20'000));
  INFO(r.message);
  CHECK(r.ok);   // the step ran; every port failed on its own
  const auto items = h.sink.items();
  REQUIRE(items.size() == 3);
  for (const auto& it : items) {
    INFO(it.id << ": " << it.message);
    CHECK(it.status == "unreachable");
    CHECK(it.message.find(it.id.substr(0, 2) + ": its agent did not answer") == 0);
  }
  CHECK(r.message.find("0 of 3 port(s) found") == 0);
  CHECK(emu.connections() == std::vector<ocs_emu::Connection>{{1, 18, false}, {2, 17, false}});
}

TEST_CASE("cabling switch side: an NxM switch's inputs and outputs by their numbers, and a round changes only what differs", "[cabling][modules]") {
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  o.inputs = 8;
  o.outputs = 8;
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  REQUIRE(emu.preset({{3, 12, false}}));
  auto driver = ocs::open_switch("polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port()));
  REQUIRE(driver);
  auto sw = open_switch_under_test("ocs1", **driver);
  REQUIRE(sw);
  CHECK(sw->inputs == std::vector<ocs::PortId>{"1", "2", "3", "4", "5", "6", "7", "8"});
  CHECK(sw->outputs == std::vector<ocs::PortId>{"9", "10", "11", "12", "13", "14", "15", "16"});
  CHECK(sw->before == std::vector<ocs::CrossConnect>{{"3", "12", false}});

  // The first round replaces what the switch held; the next keeps what it shares with it.
  std::vector<ocs::CrossConnect> round1{{"1", "9", false}, {"2", "10", false}};
  REQUIRE(set_round_circuits(*sw, sw->before, round1));
  CHECK(emu.connections() == std::vector<ocs_emu::Connection>{{1, 9, false}, {2, 10, false}});
  std::vector<ocs::CrossConnect> round2{{"1", "9", false}, {"2", "11", false}};
  REQUIRE(set_round_circuits(*sw, round1, round2));
  CHECK(emu.connections() == std::vector<ocs_emu::Connection>{{1, 9, false}, {2, 11, false}});
  CHECK(sw->switch_operations == 2);
  // Nothing to change: no operation.
  REQUIRE(set_round_circuits(*sw, round2, round2));
  CHECK(sw->switch_operations == 2);
  auto sweep = sweep_input_power(*sw);
  REQUIRE(sweep);
  CHECK(sweep->size() == 16);
  CHECK(sw->power_reads == 1);
  REQUIRE(restore_circuits(*sw, round2));
  CHECK(emu.connections() == std::vector<ocs_emu::Connection>{{3, 12, false}});
}

TEST_CASE("cabling switch side: an any-to-any switch that reads only what its circuits bring cannot locate transmitters", "[cabling][modules]") {
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  o.mode = ocs_emu::SwitchMode::any_to_any;
  o.inputs = 8;
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  auto driver = ocs::open_switch("polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port()));
  REQUIRE(driver);
  auto sw = open_switch_under_test("ocs1", **driver);
  REQUIRE(sw);
  CHECK(sw->any_to_any());
  CHECK(sw->inputs.size() == 8);
  CHECK(sw->outputs.empty());
  // A Polatis port monitor on an any-to-any switch gives one reading, the light a circuit brings.
  auto sweep = sweep_input_power(*sw);
  REQUIRE_FALSE(sweep);
  CHECK(sweep.error().code == Errc::unavailable);
  CHECK(sweep.error().message.find("INPWR") != std::string::npos);
}
