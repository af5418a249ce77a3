// mixnet-coord on a lab with two regions (two emulated OCS, `--hosts-per-region 2`): the ready
// bring-up playbook (generated cover topologies, applied and verified) passes across both
// switches, each circuit made on its own region's switch.
#include <catch2/catch.hpp>
#include <map>

#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;

TEST_CASE("coord lab: bring-up passes across two regions' switches", "[coord][lab][regions]") {
  LabUnderTest lab("--hosts 4 --hosts-per-region 2");
  const auto& inv = lab.inventory();
  REQUIRE(inv.switches.size() == 2);
  std::map<std::string, std::string> switch_of;   // "h3:ocs0" -> "ocs2"
  for (const auto& h : inv.hosts) {
    for (const auto& p : h.ports) {
      if (p.ocs) switch_of[h.name + ":" + p.name] = p.switch_name;
    }
  }
  CoordScratch scratch;
  // The generated covers, resolved against the two-switch inventory: every circuit within a switch.
  const auto show = scratch.command("topology show --json -i " + lab.dir() + "/inventory.yaml " + scratch.dir() + "/cover.yaml");
  INFO(show.output);
  REQUIRE(show.exit_code == 0);

  const auto run = scratch.run(std::string(MIXNET_SOURCE_DIR) + "/playbooks/bringup.yaml", lab.dir() + "/inventory.yaml");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.results.at("run").at("status") == "passed");
  std::set<std::string> proven;
  std::set<std::string> switches_used;
  for (const char* step : {"verify cover-1", "verify cover-2"}) {
    for (const auto& it : run.step(step).at("items")) {
      const std::string id = it.at("id");
      const std::string peer = it.at("data").at("expected_peer");
      INFO(step << " " << id << " - " << peer);
      CHECK(switch_of.at(id) == switch_of.at(peer));   // a circuit never crosses regions
      if (it.at("status") == "ok") {
        proven.insert(id);
        switches_used.insert(switch_of.at(id));
      }
    }
  }
  CHECK(proven.size() == 12);   // 4 hosts x 3 OCS ports, every one proven
  CHECK(switches_used == std::set<std::string>{"ocs1", "ocs2"});
  // always: ocs.clear left both switches empty.
  CHECK(nlohmann::json::parse(lab.control_of("ocs1", "/v1/connections").body).empty());
  CHECK(nlohmann::json::parse(lab.control_of("ocs2", "/v1/connections").body).empty());
}
