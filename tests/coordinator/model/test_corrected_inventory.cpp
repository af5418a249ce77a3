// The corrected inventory (coordinator/model/corrected_inventory.hpp): the found map written into
// the file reads back with the found map on every found port and everything else as it was
// (quoted values still quoted, flow and block style kept, comments gone); a stale entry that
// clashes with the found map is cut back to its switch; the file form reads the file.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "coordinator/cli/inventory_json.hpp"
#include "coordinator/model/cabling_diff.hpp"
#include "coordinator/model/corrected_inventory.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// h1 wrong, h2 without a map (block style), h3 right, h4 any-to-any without a map, h5 not found
// and its entry clashing with what is found for h1; quoted values that must stay strings.
const char* kToCorrect = R"(version: 1
name: "lab 7"   # a comment yaml-cpp does not keep
hosts:
  - name: h1
    gpus: 8
    agent: {url: "http://127.0.0.1:7470", token_file: token}
    ports:
      - name: ocs0
        mac: "02:00:c6:12:01:0a"
        ocs: {switch: ocs0, tx: 1, rx: 17}
        expect: {speed_mbps: 100000, mtu: 1500}
      - {name: eps0, eps: {switch: eps1, port: 3}}
  - name: h2
    agent: {url: "http://127.0.0.1:7471"}
    ports:
      - name: ocs0
        ocs:
          switch: ocs0
  - {name: h3, agent: {url: "http://127.0.0.1:7472"}, ports: [{name: ocs0, ocs: {switch: ocs0, tx: 3, rx: 19}}]}
  - {name: h4, agent: {url: "http://127.0.0.1:7473"}, ports: [{name: ocs0, ocs: {switch: cal}}]}
  - {name: h5, agent: {url: "http://127.0.0.1:7474"}, ports: [{name: ocs0, ocs: {switch: ocs0, tx: 2, rx: 18}}]}
switches:
  - name: ocs0
    kind: ocs
    uri: "polatis-tl1://admin@127.0.0.1:13082"
    power_ports:
      "17": {min_input_dbm: -12}
  - {name: cal, kind: ocs, uri: "calient-tl1://admin@127.0.0.1:3083"}
  - {name: eps1, kind: eps}
)";

OcsCabling found_nxm(const char* sw, const char* tx, const char* rx) { return OcsCabling{.switch_name = sw, .tx = tx, .rx = rx, .port = {}}; }

CablingMap found_for_correction() {
  CablingMap found;
  found.set({"h1", "ocs0"}, found_nxm("ocs0", "2", "18"));   // the inventory gives these to h5
  found.set({"h2", "ocs0"}, found_nxm("ocs0", "4", "20"));
  found.set({"h3", "ocs0"}, found_nxm("ocs0", "3", "19"));
  found.set({"h4", "ocs0"}, OcsCabling{.switch_name = "cal", .tx = {}, .rx = {}, .port = "1.2.1"});
  return found;
}

}  // namespace

TEST_CASE("corrected inventory: the found map reads back, everything else as it was", "[cabling][inventory]") {
  const CablingMap found = found_for_correction();
  auto corrected = corrected_inventory_from_text(kToCorrect, "inventory.yaml", found);
  INFO((corrected ? corrected->yaml : corrected.error().message));
  REQUIRE(corrected);
  CHECK(corrected->rewritten == 3);   // h3 agreed
  CHECK(corrected->cleared == std::vector<PortRef>{{"h5", "ocs0"}});

  auto original = parse_inventory(kToCorrect, "inventory.yaml", "");
  REQUIRE(original);
  auto again = parse_inventory(corrected->yaml, "corrected.yaml", "");
  REQUIRE(again);

  // The found map, port for port: no difference left, h5 now unmapped.
  auto diff = diff_cabling(*again, found);
  REQUIRE(diff);
  CHECK(diff->agrees());
  CHECK(diff->agreeing == 4);
  CHECK(again->unmapped_ocs_ports() == std::vector<PortRef>{{"h5", "ocs0"}});

  // Everything else as it was: the same inventory apart from the ports' `ocs`.
  auto before = inventory_json(*original);
  auto after = inventory_json(*again);
  for (auto* j : {&before, &after}) {
    for (auto& host : j->at("hosts")) {
      for (auto& port : host.at("ports")) port.erase("ocs");
    }
  }
  CHECK(before == after);
  CHECK(again->name == "lab 7");

  // Quoted values stay quoted, styles stay, comments go; the new maps follow each port's style.
  const std::string& yaml = corrected->yaml;
  CHECK(yaml.find("mac: \"02:00:c6:12:01:0a\"") != std::string::npos);
  CHECK(yaml.find("\"17\": {min_input_dbm: -12}") != std::string::npos);
  CHECK(yaml.find("ocs: {switch: ocs0, tx: 2, rx: 18}") != std::string::npos);
  CHECK(yaml.find("ocs:\n          switch: ocs0\n          tx: 4\n          rx: 20") != std::string::npos);
  CHECK(yaml.find("ocs: {switch: cal, port: \"1.2.1\"}") != std::string::npos);
  CHECK(yaml.find("ocs: {switch: ocs0}") != std::string::npos);   // h5, cut back
  CHECK(yaml.find("comment") == std::string::npos);
}

TEST_CASE("corrected inventory: an empty map changes nothing, a map of other ports is refused", "[cabling][inventory]") {
  auto same = corrected_inventory_from_text(kToCorrect, "inventory.yaml", CablingMap{});
  REQUIRE(same);
  CHECK(same->rewritten == 0);
  CHECK(same->cleared.empty());
  auto original = parse_inventory(kToCorrect, "inventory.yaml", "");
  auto again = parse_inventory(same->yaml, "corrected.yaml", "");
  REQUIRE(original);
  REQUIRE(again);
  CHECK(inventory_json(*original) == inventory_json(*again));

  CablingMap stranger;
  stranger.set({"h9", "ocs0"}, found_nxm("ocs0", "9", "25"));
  auto refused = corrected_inventory_from_text(kToCorrect, "inventory.yaml", stranger);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().field == "h9:ocs0");

  auto broken = corrected_inventory_from_text("version: 1\nhosts: [\n", "inventory.yaml", CablingMap{});
  REQUIRE_FALSE(broken);
  CHECK(broken.error().message.find("inventory.yaml") == 0);
}

TEST_CASE("corrected inventory: from the file, as read_inventory reads it", "[cabling][inventory]") {
  mixnet::testing::ScratchDir dir("mixnet-corrected-inventory");
  const std::string path = dir.path + "/inventory.yaml";
  std::ofstream(path) << kToCorrect;
  const CablingMap found = found_for_correction();
  auto corrected = corrected_inventory(path, found);
  REQUIRE(corrected);
  const std::string out = dir.path + "/corrected.yaml";
  std::ofstream(out) << corrected->yaml;
  auto again = read_inventory(out);
  REQUIRE(again);
  auto diff = diff_cabling(*again, found);
  REQUIRE(diff);
  CHECK(diff->agrees());

  auto missing = corrected_inventory(dir.path + "/none.yaml", found);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("inventory") == 0);
}
