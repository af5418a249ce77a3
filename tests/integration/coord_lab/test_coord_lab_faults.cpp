// mixnet-coord on a lab with faults: a miswire is reported with both the expected and the real
// peer, a dark port as dark, and an agent killed mid-run fails only its own host while the run
// ends with a partial, readable result.
#include <catch2/catch.hpp>
#include <csignal>
#include <thread>

#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/support/netns.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;
using namespace std::chrono_literals;

namespace {

const char* kMeshPlaybook = R"(
name: mesh
topologies: [prototype.yaml]
steps:
  - {name: apply mesh, ocs.apply: {topology: mesh}}
  - {name: verify mesh, links.verify: {topology: mesh, deadline: 4}}
)";

}  // namespace

TEST_CASE("coord lab: a miswire names the expected and the real peer, a dark port is dark", "[coord][lab]") {
  LabUnderTest lab("");
  REQUIRE(lab.fault("miswire h1:ocs0 h2:ocs1").exit_code == 0);
  REQUIRE(lab.fault("dark h3:ocs2").exit_code == 0);
  CoordScratch scratch;
  const auto run = scratch.run(scratch.write_playbook("mesh.yaml", kMeshPlaybook), lab.dir() + "/inventory.yaml");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.results.at("run").at("status") == "failed");

  // mesh joins h1:ocs0 - h2:ocs0 and h2:ocs1 - h3:ocs1. With the fibres of h1:ocs0 and h2:ocs1
  // swapped at the switch, h1:ocs0 really meets h3:ocs1, and h2:ocs0 meets h2:ocs1.
  const auto& a = run.item("verify mesh", "h1:ocs0");
  CHECK(a.at("status") == "miswired");
  CHECK(a.at("data").at("expected_peer") == "h2:ocs0");
  CHECK(a.at("data").at("actual_peer") == "h3:ocs1");
  const auto& b = run.item("verify mesh", "h2:ocs0");
  CHECK(b.at("status") == "miswired");
  CHECK(b.at("data").at("expected_peer") == "h1:ocs0");
  CHECK(b.at("data").at("actual_peer") == "h2:ocs1");
  // h3:ocs2's transceiver is dead: no light reaches h4:ocs2 either, neither end trains.
  CHECK(run.item("verify mesh", "h3:ocs2").at("status") == "dark");
  CHECK(run.item("verify mesh", "h4:ocs2").at("status") == "dark");
  // Circuits untouched by the faults verify.
  for (const char* id : {"h1:ocs1", "h3:ocs0", "h1:ocs2", "h4:ocs0", "h2:ocs2", "h4:ocs1"}) {
    INFO(id);
    CHECK(run.item("verify mesh", id).at("status") == "ok");
  }
}

TEST_CASE("coord lab: an agent killed mid-run fails only its host, the result stays readable", "[coord][lab]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto playbook = scratch.write_playbook("kill.yaml", R"(
name: kill one agent
topologies: [prototype.yaml]
steps:
  - {name: hosts before, hosts.verify: {}}
  - {name: pause, wait: {seconds: 3}}
  - {name: hosts after, hosts.verify: {deadline: 3}}
  - {name: electrical after, eps.verify: {deadline: 3}}
)");
  const pid_t coord = scratch.start(playbook, lab.dir() + "/inventory.yaml", "", "run");
  // Kill h3's agent while the coordinator waits.
  std::this_thread::sleep_for(1s);
  REQUIRE(lab.kill_agent("h3") > 0);
  const auto run = scratch.wait(coord, "run");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.results.at("run").at("status") == "failed");
  CHECK(run.results.at("run").at("failed_hosts") == nlohmann::json::array({"h3"}));
  CHECK(run.item("hosts before", "h3").at("status") == "ok");
  CHECK(run.item("hosts after", "h3").at("status") == "unreachable");
  CHECK(run.item("electrical after", "h3:eps0").at("status") == "unreachable");
  for (const char* h : {"h1", "h2", "h4"}) {
    INFO(h);
    CHECK(run.item("hosts after", h).at("status") == "ok");
    CHECK(run.item("electrical after", std::string(h) + ":eps0").at("status") == "ok");
  }
  // Every step ran (the dead host did not stop the run) and the store has the run.
  CHECK(run.step("electrical after").at("status") == "partial");
  const auto shown = scratch.command("results show latest --json --db " + scratch.db());
  CHECK(shown.exit_code == 0);
  CHECK(shown.output.find("unreachable") != std::string::npos);
}
