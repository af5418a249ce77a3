// `mixnet-coord cabling discover` on whole labs: with the cabling map removed from the inventory,
// what it finds equals the lab's hidden cabling port for port (the test reads the truth from the
// lab plane's own description; the coordinator never does); two miswired ports on a correct
// inventory are reported with their real positions and nothing else; a dark port and a dead agent
// are reported as undiscoverable while every other port is still found.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/support/netns.hpp"
#include "tests/tools/lab/lab_harness.hpp"
#include "tools/ocs-emu/tl1_service.hpp"

using namespace mixnet::testing;

namespace {

struct FibrePorts {
  int tx = 0, rx = 0;
  bool operator==(const FibrePorts&) const = default;
};
using CablingTruth = std::map<std::string, FibrePorts>;   // "h1:ocs0" -> where its fibres land

// The lab's hidden cabling, as the plane of every switch has it now (a miswire moves it).
CablingTruth plane_truth(const LabUnderTest& lab) {
  CablingTruth truth;
  for (const auto& sw : lab.inventory().switches) {
    const auto plane = nlohmann::json::parse(lab.control_of(sw.name, "/v1/plane").body);
    for (const auto& end : plane.at("ends")) {
      truth[end.at("id").get<std::string>()] = FibrePorts{end.at("tx").get<int>(), end.at("rx").get<int>()};
    }
  }
  return truth;
}

// The OCS map an inventory file gives, port by port (ports without tx/rx left out).
CablingTruth inventory_map(const std::string& path) {
  CablingTruth map;
  const YAML::Node root = YAML::LoadFile(path);
  for (const auto& h : root["hosts"]) {
    for (const auto& p : h["ports"]) {
      if (!p["ocs"] || !p["ocs"]["tx"] || !p["ocs"]["rx"]) continue;
      map[h["name"].as<std::string>() + ":" + p["name"].as<std::string>()] = FibrePorts{p["ocs"]["tx"].as<int>(), p["ocs"]["rx"].as<int>()};
    }
  }
  return map;
}

// Every OCS port's map removed from an inventory: `ocs: {switch: S}` only.
void remove_ocs_maps(YAML::Node& root) {
  for (auto h : root["hosts"]) {
    for (auto p : h["ports"]) {
      if (!p["ocs"]) continue;
      YAML::Node only;
      only["switch"] = p["ocs"]["switch"].as<std::string>();
      p["ocs"] = only;
    }
  }
}

// The lab's inventory with every OCS port's map removed. Beside the lab's own, whose relative
// token paths it keeps.
std::string write_unmapped_inventory(const LabUnderTest& lab) {
  YAML::Node root = YAML::LoadFile(lab.dir() + "/inventory.yaml");
  remove_ocs_maps(root);
  const std::string path = lab.dir() + "/unmapped.yaml";
  std::ofstream(path) << YAML::Dump(root) << "\n";
  return path;
}

// The corrected inventory goes beside the lab's (its relative token paths resolve there).
std::string found_path(const LabUnderTest& lab, const std::string& name) { return lab.dir() + "/found-" + name + ".yaml"; }

// How long a looped-back port may take to come up. The instrumented agents of the sanitizer pass
// (beside the fuzz build, in CI) took over 2 s for some links of the 32-host labs, which then
// looked like wrong outputs.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kLinkTimeoutS = 8;
#else
constexpr int kLinkTimeoutS = 2;
#endif

CoordRun discover(const LabUnderTest& lab, const CoordScratch& scratch, const std::string& inventory, const std::string& name) {
  return scratch.command(fmt::format("cabling discover -i {} --out {} --run-dir {}/{} --db {} --link-timeout {}", inventory,
                                     found_path(lab, name), scratch.dir(), name, scratch.db(), kLinkTimeoutS));
}

nlohmann::json results_of(const CoordScratch& scratch, const std::string& name) {
  std::ifstream in(scratch.dir() + "/" + name + "/results.json");
  return nlohmann::json::parse(in);
}

// The discovery step's items, id -> item.
std::map<std::string, nlohmann::json> port_items(const nlohmann::json& results) {
  std::map<std::string, nlohmann::json> items;
  for (const auto& step : results.at("steps")) {
    for (const auto& it : step.at("items")) items[it.at("id").get<std::string>()] = it;
  }
  return items;
}

std::set<std::string> not_ok(const std::map<std::string, nlohmann::json>& items) {
  std::set<std::string> out;
  for (const auto& [id, it] : items) {
    if (it.at("status") != "ok") out.insert(id);
  }
  return out;
}


void check_found_equals_truth(const LabUnderTest& lab, const CoordScratch& scratch, const std::string& lab_args) {
  const auto truth = plane_truth(lab);
  REQUIRE_FALSE(truth.empty());
  // The lab's inventory agrees with its plane before any fault (the cabling is shuffled per region).
  REQUIRE(inventory_map(lab.dir() + "/inventory.yaml") == truth);
  const auto unmapped = write_unmapped_inventory(lab);
  REQUIRE(inventory_map(unmapped).empty());

  const auto run = discover(lab, scratch, unmapped, "found");
  INFO(lab_args << "\n" << run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(inventory_map(found_path(lab, "found")) == truth);
  const auto items = port_items(results_of(scratch, "found"));
  CHECK(items.size() == truth.size());
  CHECK(not_ok(items).empty());
  // The corrected inventory is an inventory: the coordinator reads it back.
  const auto shown = scratch.command("inventory show -i " + found_path(lab, "found"));
  INFO(shown.output);
  CHECK(shown.exit_code == 0);
}

// An any-to-any lab's inventory driven over its emulator's Calient TL1 (whose port summary reads
// the light arriving from each port's fibre, INPWR): the switch's URI swapped for the Calient one
// and every port's map removed. Returns the path; `truth` gets each NIC port's Calient port name.
std::string write_calient_unmapped_inventory(const LabUnderTest& lab, std::map<std::string, std::string>& truth) {
  const auto plane = nlohmann::json::parse(lab.control("/v1/plane").body);
  for (const auto& end : plane.at("ends")) {
    truth[end.at("id").get<std::string>()] = mixnet::ocs_emu::calient_port_name(end.at("port").get<int>());
  }
  YAML::Node root = YAML::LoadFile(lab.dir() + "/inventory.yaml");
  for (auto sw : root["switches"]) {
    if (!sw["alt_uris"]) continue;
    for (const auto& alt : sw["alt_uris"]) {
      if (alt.as<std::string>().rfind("calient-tl1://", 0) == 0) sw["uri"] = alt.as<std::string>();
    }
    sw.remove("alt_uris");
  }
  remove_ocs_maps(root);
  const std::string path = lab.dir() + "/calient-unmapped.yaml";
  std::ofstream(path) << YAML::Dump(root) << "\n";
  return path;
}

}  // namespace

TEST_CASE("coord lab cabling: with the map removed, discovery finds the default lab's cabling port for port", "[coord][lab][cabling]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  check_found_equals_truth(lab, scratch, "default lab");
  // The switch holds what it held before discovery (no circuits in a fresh lab).
  const auto circuits = nlohmann::json::parse(lab.control("/v1/state").body);
  INFO(circuits.dump());
  CHECK(circuits.at("connections").empty());
}

TEST_CASE("coord lab cabling: the 32-host lab's four switches, map removed, found port for port", "[coord][lab][cabling]") {
  LabUnderTest lab("--preset mixnet-256");
  CoordScratch scratch;
  check_found_equals_truth(lab, scratch, "mixnet-256");
}

TEST_CASE("coord lab cabling: the 32-host lab on one 192x192 OCS, map removed, found port for port", "[coord][lab][cabling]") {
  // Fixed 30 ms link training: the loopback rounds that hear nothing then wait about 100 ms, not
  // the fast profile's 500 (its slowest draws reach 300 ms); the search is the same.
  LabUnderTest lab("--hosts 32 --ocs-ports 6 --eps-ports 2 --profile fixed:30");
  CoordScratch scratch;
  check_found_equals_truth(lab, scratch, "32 hosts, one OCS");
}

TEST_CASE("coord lab cabling: an any-to-any switch's ports are found by light patterns alone", "[coord][lab][cabling]") {
  LabUnderTest lab("--switch-size 16xCC");
  CoordScratch scratch;
  std::map<std::string, std::string> truth;
  const auto inventory = write_calient_unmapped_inventory(lab, truth);
  REQUIRE(truth.size() == 12);
  const auto run = discover(lab, scratch, inventory, "cc");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  std::map<std::string, std::string> found;
  const YAML::Node root = YAML::LoadFile(found_path(lab, "cc"));
  for (const auto& h : root["hosts"]) {
    for (const auto& p : h["ports"]) {
      if (p["ocs"] && p["ocs"]["port"]) found[h["name"].as<std::string>() + ":" + p["name"].as<std::string>()] = p["ocs"]["port"].as<std::string>();
    }
  }
  CHECK(found == truth);
  // Light patterns only: no loopback round, no switch operation.
  const auto results = results_of(scratch, "cc");
  const auto& sw = results.at("steps").at(0).at("result").at("data").at("switches").at("ocs1");
  CHECK(sw.at("output_rounds") == 0);
  CHECK(sw.at("switch_operations") == 0);
  CHECK(sw.at("input_rounds") == 4);
}

TEST_CASE("coord lab cabling: miswired ports on a correct inventory are reported with their real positions, nothing else",
          "[coord][lab][cabling]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const std::string inventory = lab.dir() + "/inventory.yaml";
  const auto before = inventory_map(inventory);

  const auto one = lab.fault("miswire h1:ocs0 h2:ocs1");
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  auto run = discover(lab, scratch, inventory, "one");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  auto items = port_items(results_of(scratch, "one"));
  CHECK(not_ok(items) == std::set<std::string>{"h1:ocs0", "h2:ocs1"});
  auto truth = plane_truth(lab);
  CHECK(truth.at("h1:ocs0") == before.at("h2:ocs1"));
  CHECK(inventory_map(found_path(lab, "one")) == truth);
  const auto& h1 = items.at("h1:ocs0");
  CHECK(h1.at("status") == "miswired");
  CHECK(h1.at("message") == fmt::format("h1:ocs0: inventory says in {}/out {}, found in {}/out {}", before.at("h1:ocs0").tx,
                                        before.at("h1:ocs0").rx, truth.at("h1:ocs0").tx, truth.at("h1:ocs0").rx));

  const auto two = lab.fault("miswire h3:ocs2 h4:ocs0");
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  run = discover(lab, scratch, inventory, "two");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  items = port_items(results_of(scratch, "two"));
  CHECK(not_ok(items) == std::set<std::string>{"h1:ocs0", "h2:ocs1", "h3:ocs2", "h4:ocs0"});
  truth = plane_truth(lab);
  CHECK(inventory_map(found_path(lab, "two")) == truth);
}

TEST_CASE("coord lab cabling: a dark port and a dead agent are undiscoverable and named, and the rest is found", "[coord][lab][cabling]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto truth = plane_truth(lab);
  const auto unmapped = write_unmapped_inventory(lab);
  const auto dark = lab.fault("dark h3:ocs2");
  INFO(dark.output);
  REQUIRE(dark.exit_code == 0);
  REQUIRE(lab.kill_agent("h4") > 0);

  const auto run = discover(lab, scratch, unmapped, "partial");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  const auto items = port_items(results_of(scratch, "partial"));
  REQUIRE(items.size() == truth.size());
  const std::set<std::string> h4{"h4:ocs0", "h4:ocs1", "h4:ocs2"};
  std::set<std::string> expected_bad = h4;
  expected_bad.insert("h3:ocs2");
  CHECK(not_ok(items) == expected_bad);
  CHECK(items.at("h3:ocs2").at("status") == "dark");
  CHECK(items.at("h3:ocs2").at("message").get<std::string>().find("h3:ocs2") != std::string::npos);
  for (const auto& p : h4) {
    CHECK(items.at(p).at("status") == "unreachable");
    CHECK(items.at(p).at("message").get<std::string>().find("h4") != std::string::npos);
  }
  // Every other port is found where it is; the written map holds exactly those.
  auto found = inventory_map(found_path(lab, "partial"));
  for (const auto& [port, where] : truth) {
    if (expected_bad.contains(port)) CHECK_FALSE(found.contains(port));
    else CHECK(found.at(port) == where);
  }
}
