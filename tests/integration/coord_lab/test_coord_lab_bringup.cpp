// mixnet-coord on a whole lab (fast profile): the ready bring-up playbook passes, and three
// topologies applied one after another each verify, port by port, against the shuffled cabling.
#include <catch2/catch.hpp>

#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;

namespace {

// Every item of the step has `status`, and there are `count` of them (last attempts).
void require_all(const CoordRun& run, const std::string& step, const std::string& status, std::size_t count) {
  const auto& s = run.step(step);
  std::map<std::string, std::string> last;   // id -> status of its last attempt
  for (const auto& it : s.at("items")) last[it.at("id").get<std::string>()] = it.at("status").get<std::string>();
  INFO(step << ": " << s.dump(1).substr(0, 3000));
  CHECK(last.size() == count);
  for (const auto& [id, st] : last) {
    INFO(id);
    CHECK(st == status);
  }
}

}  // namespace

TEST_CASE("coord lab: the bring-up playbook passes on the default lab", "[coord][lab]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto run = scratch.run(std::string(MIXNET_SOURCE_DIR) + "/playbooks/bringup.yaml", lab.dir() + "/inventory.yaml");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.results.at("run").at("status") == "passed");
  require_all(run, "agents reachable and inventory matches", "ok", 4 + 16);   // 4 hosts, 16 ports
  require_all(run, "electrical ports reach each other", "ok", 4);
  require_all(run, "verify cover-1", "ok", 12);
  require_all(run, "verify cover-2", "ok", 12);
  // Between them, the two cover topologies proved every one of the 12 OCS ports against a peer on
  // another host.
  std::set<std::string> proven;
  for (const char* step : {"verify cover-1", "verify cover-2"}) {
    for (const auto& it : run.step(step).at("items")) {
      const std::string id = it.at("id");
      const std::string peer = it.at("data").at("expected_peer");
      CHECK(id.substr(0, id.find(':')) != peer.substr(0, peer.find(':')));
      if (it.at("status") == "ok") proven.insert(id);
    }
  }
  CHECK(proven.size() == 12);
  // always: ocs.clear left the switch empty.
  const auto state = nlohmann::json::parse(lab.control("/v1/connections").body);
  CHECK(state.empty());
  // The run is in the store, passed.
  const auto list = scratch.command("results list --db " + scratch.db());
  CHECK(list.exit_code == 0);
  CHECK(list.output.find("passed") != std::string::npos);
}

TEST_CASE("coord lab: three topologies applied in turn each verify", "[coord][lab]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto playbook = scratch.write_playbook("cycle.yaml", R"(
name: three topologies
topologies: [prototype.yaml]
steps:
  - {name: apply mesh, ocs.apply: {topology: mesh}}
  - {name: verify mesh, links.verify: {topology: mesh, deadline: 20}}
  - {name: apply ring, ocs.apply: {topology: ring}}
  - {name: verify ring, links.verify: {topology: ring, deadline: 20}}
  - {name: apply pairs, ocs.apply: {topology: pairs}}
  - {name: verify pairs, links.verify: {topology: pairs, deadline: 20}}
)");
  const auto run = scratch.run(playbook, lab.dir() + "/inventory.yaml");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  for (const char* topo : {"mesh", "ring", "pairs"}) {
    require_all(run, std::string("verify ") + topo, "ok", 12);
    CHECK(run.step(std::string("apply ") + topo).at("status") == "changed");
  }
  // The verdicts name the peers each topology asked for.
  CHECK(run.item("verify mesh", "h1:ocs0").at("data").at("expected_peer") == "h2:ocs0");
  CHECK(run.item("verify ring", "h1:ocs0").at("data").at("expected_peer") == "h2:ocs1");
  CHECK(run.item("verify pairs", "h3:ocs1").at("data").at("expected_peer") == "h4:ocs1");
  // The switch holds the last topology: 6 circuits, 12 one-way cross-connects, each from the
  // input a NIC's TX fibre lands on to the output its peer's RX fibre comes from.
  const auto state = nlohmann::json::parse(lab.control("/v1/connections").body);
  const auto& inv = lab.inventory();
  std::set<std::pair<int, int>> want;
  for (auto [a, pa, b, pb] : std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"h1", "ocs0", "h2", "ocs0"}, {"h1", "ocs1", "h2", "ocs1"}, {"h3", "ocs0", "h4", "ocs0"},
           {"h3", "ocs1", "h4", "ocs1"}, {"h1", "ocs2", "h4", "ocs2"}, {"h2", "ocs2", "h3", "ocs2"}}) {
    want.insert({inv.host(a).port(pa).tx, inv.host(b).port(pb).rx});
    want.insert({inv.host(b).port(pb).tx, inv.host(a).port(pa).rx});
  }
  std::set<std::pair<int, int>> have;
  for (const auto& c : state) have.insert({c.at("from").get<int>(), c.at("to").get<int>()});
  CHECK(have == want);
}
