// mixnet-coord's control of the switch on a lab: --check touches nothing, and a second
// coordinator is refused the switch while the first holds its lease, told who holds it.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;
using namespace std::chrono_literals;

namespace {

std::size_t ground_truth_count(const LabUnderTest& lab) {
  const auto j = nlohmann::json::parse(lab.control("/v1/changes?after=0&limit=100000").body);
  return j.at("changes").size();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("coord lab: --check changes nothing on the switch", "[coord][lab]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto setup = scratch.run(scratch.write_playbook("mesh.yaml", R"(
topologies: [prototype.yaml]
steps:
  - {name: apply mesh, ocs.apply: {topology: mesh}}
)"),
                                 lab.dir() + "/inventory.yaml", "", "setup");
  INFO(setup.output);
  REQUIRE(setup.exit_code == 0);
  const std::size_t changes_before = ground_truth_count(lab);
  const std::string connections_before = lab.control("/v1/connections").body;
  REQUIRE(changes_before > 0);

  const auto playbook = scratch.write_playbook("change.yaml", R"(
topologies: [prototype.yaml]
steps:
  - {name: apply ring, ocs.apply: {topology: ring}}
  - {name: replace with pairs, ocs.apply: {topology: pairs, mode: replace}}
  - {name: clear, ocs.clear: {}}
)");
  const auto run = scratch.run(playbook, lab.dir() + "/inventory.yaml", "--check", "check");
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.results.at("run").at("check_mode") == true);
  // The modules say what they would change ...
  CHECK(run.step("apply ring").at("changed") == true);
  CHECK(run.step("clear").at("changed") == true);
  // ... and the switch saw nothing.
  CHECK(ground_truth_count(lab) == changes_before);
  CHECK(lab.control("/v1/connections").body == connections_before);
}

TEST_CASE("coord lab: a second coordinator is refused the switch and told who holds it", "[coord][lab]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto holder_book = scratch.write_playbook("hold.yaml", R"(
topologies: [prototype.yaml]
steps:
  - {name: apply mesh, ocs.apply: {topology: mesh}}
  - {name: hold, wait: {seconds: 4}}
)");
  const pid_t first = scratch.start(holder_book, lab.dir() + "/inventory.yaml", "", "first");
  // Wait until the first run is past ocs.apply (it holds the lease from then on).
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (read_file(scratch.dir() + "/first.log").find("hold") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(read_file(scratch.dir() + "/first.log").find("hold") != std::string::npos);  // the first run got past ocs.apply
  const auto second = scratch.run(scratch.write_playbook("ring.yaml", R"(
topologies: [prototype.yaml]
steps:
  - {name: apply ring, ocs.apply: {topology: ring}}
)"),
                                  lab.dir() + "/inventory.yaml", "", "second");
  const auto first_run = scratch.wait(first, "first");
  INFO("first:\n" << first_run.output << "\nsecond:\n" << second.output);
  CHECK(first_run.exit_code == 0);
  CHECK(second.exit_code == 1);
  CHECK(second.step("apply ring").at("status") == "failed");
  // The refusal names the holder: its pid.
  CHECK(second.output.find("pid " + std::to_string(first)) != std::string::npos);
  // The switch holds what the first run applied, untouched by the second.
  CHECK(nlohmann::json::parse(lab.control("/v1/connections").body).size() == 12);
}
