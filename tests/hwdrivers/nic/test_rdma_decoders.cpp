#include <catch2/catch.hpp>

#include "hwdrivers/nic/rdma_inventory.hpp"

using namespace mixnet;
using namespace mixnet::nic;

TEST_CASE("rdma decoders: active speed as ibv_devinfo prints it", "[rdma]") {
  CHECK(decode_active_speed(1) == "2.5 Gbps");
  CHECK(decode_active_speed(2) == "5.0 Gbps");
  CHECK(decode_active_speed(4) == "10.0 Gbps");
  CHECK(decode_active_speed(8) == "10.0 Gbps");
  CHECK(decode_active_speed(16) == "14.0 Gbps");
  CHECK(decode_active_speed(32) == "25.0 Gbps");
  CHECK(decode_active_speed(64) == "50.0 Gbps");
  CHECK(decode_active_speed(128) == "100.0 Gbps");
  CHECK(decode_active_speed(256) == "200.0 Gbps");
  CHECK(decode_active_speed(0) == "unknown");
  CHECK(decode_active_speed(3) == "unknown");
}

// Width codes decode as ibv_devinfo prints them (1X..12X); codes outside the table are "unknown".
TEST_CASE("rdma decoders: active width", "[rdma]") {
  CHECK(decode_active_width(1) == "1X");
  CHECK(decode_active_width(2) == "4X");
  CHECK(decode_active_width(4) == "8X");
  CHECK(decode_active_width(8) == "12X");
  CHECK(decode_active_width(16) == "2X");
  CHECK(decode_active_width(0) == "unknown");
  CHECK(decode_active_width(3) == "unknown");
}

TEST_CASE("rdma decoders: port and physical state names match sysfs", "[rdma]") {
  CHECK(port_state_name(1) == "DOWN");
  CHECK(port_state_name(2) == "INIT");
  CHECK(port_state_name(3) == "ARMED");
  CHECK(port_state_name(4) == "ACTIVE");
  CHECK(port_state_name(9) == "UNKNOWN(9)");
  CHECK(phys_state_name(2) == "Polling");
  CHECK(phys_state_name(3) == "Disabled");
  CHECK(phys_state_name(4) == "PortConfigurationTraining");
  CHECK(phys_state_name(5) == "LinkUp");
  CHECK(phys_state_name(6) == "LinkErrorRecovery");
  CHECK(phys_state_name(0) == "Unknown(0)");
}

TEST_CASE("parse_sysfs_numbered: '<n>: <name>' and its edges", "[rdma]") {
  auto ok = parse_sysfs_numbered("4: ACTIVE\n", "state");
  REQUIRE(ok.has_value());
  CHECK(ok->first == 4);
  CHECK(ok->second == "ACTIVE");
  auto phys = parse_sysfs_numbered("4: PortConfigurationTraining", "phys_state");
  REQUIRE(phys.has_value());
  CHECK(phys->second == "PortConfigurationTraining");
  auto spaced = parse_sysfs_numbered("7: Phy Test", "phys_state");
  REQUIRE(spaced.has_value());
  CHECK(spaced->second == "Phy Test");

  for (const std::string_view bad : {"", "ACTIVE", "4", "4:", "4: ", ": ACTIVE", "x: ACTIVE", "-1: DOWN",
                                     "99999999999: BIG", "4 : ACTIVE"}) {
    INFO("'" << bad << "'");
    auto r = parse_sysfs_numbered(bad, "ports/1/state");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::protocol);
    CHECK(r.error().field == "ports/1/state");
    CHECK_THAT(r.error().message, Catch::Contains("ports/1/state"));
  }
}
