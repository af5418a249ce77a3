// The inventory's optical power thresholds: `power` per OCS switch and `power_ports` per switch
// port read into the model; every bad value is refused with file:line and the key path.
#include <catch2/catch.hpp>

#include <string>

#include "coordinator/model/inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// An inventory whose OCS switch entry ends with `power_lines` (indented under the switch).
std::string with_power(const std::string& power_lines, const std::string& kind = "ocs") {
  std::string y = R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:7470"}
switches:
  - name: sw1
    kind: )" + kind + "\n";
  if (kind == "ocs") y += "    uri: polatis-tl1://admin@127.0.0.1:3082\n";
  return y + power_lines;
}

// The error's text, or "" when the inventory reads.
std::string power_inventory_error(const std::string& yaml) {
  auto inv = parse_inventory(yaml, "inventory.yaml", "");
  return inv ? std::string() : inv.error().message;
}

std::string field_of(const std::string& yaml) {
  auto inv = parse_inventory(yaml, "inventory.yaml", "");
  return inv ? std::string() : inv.error().field;
}

}  // namespace

TEST_CASE("inventory power: switch thresholds and per-port overrides read into the model", "[inventory][power]") {
  auto inv = parse_inventory(with_power(R"(    power: {min_input_dbm: -8.0, warn_input_dbm: -6, max_loss_db: 3.0, warn_loss_db: 2.5, dark_dbm: -45}
    power_ports:
      "17": {min_input_dbm: -12}
      18: {max_loss_db: 6}
)"),
                             "inventory.yaml", "");
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv);
  const auto& sw = inv->switches.at(0);
  REQUIRE(sw.power);
  CHECK(sw.power->min_input_dbm == -8.0);
  CHECK(sw.power->warn_input_dbm == -6.0);
  CHECK(sw.power->max_loss_db == 3.0);
  CHECK(sw.power->warn_loss_db == 2.5);
  CHECK(sw.power->dark_dbm == -45.0);
  CHECK(sw.power->line == 9);
  REQUIRE(sw.power_ports.size() == 2);
  CHECK(sw.power_ports.at("17").min_input_dbm == -12.0);
  CHECK_FALSE(sw.power_ports.at("17").max_loss_db);
  CHECK(sw.power_ports.at("18").max_loss_db == 6.0);

  auto bare = parse_inventory(with_power(""), "inventory.yaml", "");
  REQUIRE(bare);
  CHECK_FALSE(bare->switches.at(0).power);
  CHECK(bare->switches.at(0).power_ports.empty());
}

TEST_CASE("inventory power: bad thresholds are refused naming the line and the key", "[inventory][power]") {
  CHECK(power_inventory_error(with_power("    power: {min_input_dbm: -80}\n")) == "inventory.yaml:9: switches[0].power.min_input_dbm: -80 is outside -60..30");
  CHECK(field_of(with_power("    power: {min_input_dbm: -80}\n")) == "switches[0].power.min_input_dbm");
  CHECK(power_inventory_error(with_power("    power: {max_loss_db: -1}\n")).find("switches[0].power.max_loss_db: -1 is outside 0..60") != std::string::npos);
  CHECK(power_inventory_error(with_power("    power: {max_loss_db: lots}\n")).find("switches[0].power.max_loss_db") != std::string::npos);
  CHECK(power_inventory_error(with_power("    power: {min_input: -8}\n")).find("switches[0].power") != std::string::npos);
  CHECK(power_inventory_error(with_power("    power: {min_input_dbm: -8, warn_input_dbm: -9}\n"))
            .find("switches[0].power.warn_input_dbm: -9 is below min_input_dbm -8") != std::string::npos);
  CHECK(power_inventory_error(with_power("    power: {max_loss_db: 3, warn_loss_db: 4}\n"))
            .find("switches[0].power.warn_loss_db: 4 is above max_loss_db 3") != std::string::npos);
  // The warning rule holds for a port's merged thresholds.
  CHECK(power_inventory_error(with_power("    power: {warn_input_dbm: -6}\n    power_ports:\n      \"3\": {min_input_dbm: -5}\n"))
            .find("inventory.yaml:11: switches[0].power_ports.3.warn_input_dbm: -6 is below min_input_dbm -5") != std::string::npos);
  CHECK(power_inventory_error(with_power("    power_ports:\n      \"3\": {dark_dbm: 5}\n")).find("switches[0].power_ports.3.dark_dbm: 5 is outside -80..0") != std::string::npos);
  CHECK(power_inventory_error(with_power("    power_ports: [3]\n")).find("switches[0].power_ports") != std::string::npos);
  CHECK(power_inventory_error(with_power("    power_ports:\n      \"-3\": {max_loss_db: 2}\n")).find("negative") != std::string::npos);
  // Only an OCS has optical power.
  CHECK(power_inventory_error(with_power("    power: {max_loss_db: 2}\n", "eps")).find("switches[0].power: only an OCS has this key") != std::string::npos);
}
