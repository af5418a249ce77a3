// The plane as real optics: a NIC port set admin down stops transmitting (its peer loses light
// and carrier; the switch reads no light at its input), and comes back after training when set up
// again; the emulator's power readings follow the transmitters' light (no end, a dark transceiver,
// a miswire) through the protocol front ends.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "tests/tools/lab-plane/lab_fixture.hpp"
#include "tests/tools/ocs-emu/emu_fixture.hpp"
#include "tests/tools/ocs-emu/tl1_client.hpp"

using namespace mixnet::testing;
using mixnet::lab::EndEventKind;
using mixnet::lab::EndState;
using nlohmann::json;

namespace {

constexpr double kDark = -60.0;

// h1: tx 3 rx 12   h2: tx 1 rx 9   h3: tx 2 rx 14   h4: tx 4 rx 10 (as test_plane_netns.cpp).
std::vector<std::pair<int, int>> nic_admin_ports() { return {{3, 12}, {1, 9}, {2, 14}, {4, 10}}; }

// A port's reading over Polatis TL1 (RTRV-PORT-POWER), the way a driver reads it.
double tl1_power(Tl1Client& tl1, int port) {
  const auto reply = tl1.command(fmt::format("RTRV-PORT-POWER::{}:1:;", port));
  REQUIRE(reply.lines.size() == 1);
  const std::string& line = reply.lines[0];
  return std::stod(line.substr(line.find(':') + 1));
}

bool lit(double dbm) { return dbm > -20.0; }

bool has_kind(const std::vector<mixnet::lab::EndEvent>& events, EndEventKind kind) {
  return std::any_of(events.begin(), events.end(), [&](const auto& e) { return e.kind == kind; });
}

}  // namespace

TEST_CASE("plane: a NIC set admin down stops transmitting, its peer loses carrier, its input reads dark, and set up it relights",
          "[lab-plane][netns][nic-admin]") {
  const bool pump = GENERATE(true, false);
  INFO("linkwatch pump: " << pump);
  PlaneLab lab(nic_admin_ports(), false, "fixed:30", false, true, pump);
  Tl1Client tl1(lab.emu->tl1_port());
  tl1.login();
  // Read at open: every NIC is up, so every end's input has light; the unused inputs have none.
  for (int port : {1, 2, 3, 4}) CHECK(lit(tl1_power(tl1, port)));
  for (int port : {5, 6, 7, 8}) CHECK(tl1_power(tl1, port) == kDark);
  CHECK(lab.plane->describe()["ends"][0]["emitting"] == true);

  REQUIRE(lab.emu->preset({{3, 9, false}, {1, 12, false}}));   // h1 <-> h2
  REQUIRE(lab.wait_carrier(0, true));
  REQUIRE(lab.wait_carrier(1, true));
  CHECK(lit(tl1_power(tl1, 9)));   // h1's light leaves at h2's output

  lab.set_nic_admin(0, false);
  CHECK(lab.wait_carrier(1, false));   // the far NIC loses carrier
  CHECK(wait_until([&] { return lab.state(1) == EndState::dark; }));
  CHECK(wait_until([&] { return tl1_power(tl1, 3) == kDark; }));
  CHECK(tl1_power(tl1, 9) == kDark);
  CHECK(lit(tl1_power(tl1, 1)));   // h2 still transmits
  CHECK(lab.emu->power_dbm(3).value() == kDark);
  json d = lab.plane->describe();
  CHECK(d["ends"][0]["emitting"] == false);
  CHECK(d["ends"][0]["nic_admin_up"] == false);
  CHECK(d["ends"][0]["state"] == "dark");
  CHECK(d["ends"][1]["emitting"] == true);
  auto h1 = lab.events_of(0);
  REQUIRE_FALSE(h1.empty());
  CHECK(has_kind(h1, EndEventKind::emit_off));
  CHECK(lab.events_of(1).back().kind == EndEventKind::link_down);

  lab.set_nic_admin(0, true);
  CHECK(lab.wait_carrier(1, true));
  CHECK(lab.wait_carrier(0, true));
  CHECK(wait_until([&] { return lab.state(0) == EndState::up && lab.state(1) == EndState::up; }));
  CHECK(wait_until([&] { return lit(tl1_power(tl1, 3)); }));
  CHECK(lit(tl1_power(tl1, 9)));
  d = lab.plane->describe();
  CHECK(d["ends"][0]["emitting"] == true);
  CHECK(d["ends"][0]["nic_admin_up"] == true);
  h1 = lab.events_of(0);
  CHECK(has_kind(h1, EndEventKind::emit_on));
  CHECK(h1.back().kind == EndEventKind::link_up);
  if (pump) CHECK(wait_until([&] { return lab.control("GET", "/v1/plane").json()["linkwatch_kick"]["awaited"] == 0; }));
}

TEST_CASE("plane: a NIC already down at open emits nothing until set up", "[lab-plane][netns][nic-admin]") {
  // Built without the plane first, so the NIC is down before the plane reads it.
  PlaneLab lab(nic_admin_ports(), false, "fixed:20", false, /*start_plane=*/false);
  lab.set_nic_admin(1, false);
  json file = lab.plane_file_json();
  file["profile"] = "fixed:20";
  auto parsed = mixnet::lab::parse_plane_file(file.dump(), mixnet::lab::SwitchShape{mixnet::ocs_emu::SwitchMode::nxm, 8, 8});
  REQUIRE(parsed);
  auto plane = mixnet::lab::NetnsPlane::open(std::move(*parsed));
  REQUIRE(plane);
  CHECK((*plane)->describe()["ends"][1]["emitting"] == false);
  CHECK((*plane)->describe()["ends"][0]["emitting"] == true);
  REQUIRE((*plane)->circuit_made(mixnet::ocs_emu::CircuitChange{1, 3, 9}));
  REQUIRE((*plane)->circuit_made(mixnet::ocs_emu::CircuitChange{2, 1, 12}));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));   // well past the training
  CHECK((*plane)->state("h1:ocs0").value() == EndState::dark);
  CHECK_FALSE(lab.host_carrier(0));
  lab.set_nic_admin(1, true);
  CHECK(lab.wait_carrier(0, true));
  CHECK(lab.wait_carrier(1, true));
}

TEST_CASE("plane: power readings follow the transmitters: no end, a dark transceiver, a miswire",
          "[lab-plane][netns][nic-admin]") {
  PlaneLab lab(nic_admin_ports(), false, "fixed:20");
  Tl1Client tl1(lab.emu->tl1_port());
  tl1.login();
  CHECK(tl1_power(tl1, 6) == kDark);   // no end's fibre lands there

  // h3 (tx 2) goes dark: its input reads nothing, the others keep their light.
  REQUIRE(lab.plane->apply_fault(json{{"kind", "dark"}, {"end", "h3:ocs0"}}));
  CHECK(tl1_power(tl1, 2) == kDark);
  CHECK(lit(tl1_power(tl1, 1)));
  CHECK(lab.plane->describe()["ends"][2]["emitting"] == false);
  auto opm = [&](int port) {
    auto r = rest(*lab.emu, "GET", fmt::format("/api/data/optical-switch:opm-power/port={}", port));
    REQUIRE(r.status == 200);
    return r.json()["optical-switch:port"][0]["power"].get<double>();
  };
  CHECK(opm(2) == kDark);

  // h2 (tx 1) and h3 (tx 2) swap fibres: the dark transceiver now sits on input 1, h2's light on 2.
  REQUIRE(lab.plane->apply_fault(json{{"kind", "miswire"}, {"a", "h2:ocs0"}, {"b", "h3:ocs0"}}));
  CHECK(tl1_power(tl1, 1) == kDark);
  CHECK(lit(tl1_power(tl1, 2)));
  CHECK(opm(1) == kDark);
  CHECK(lit(opm(2)));

  REQUIRE(lab.plane->clear_faults(std::nullopt));
  for (int port : {1, 2, 3, 4}) CHECK(lit(tl1_power(tl1, port)));
}
