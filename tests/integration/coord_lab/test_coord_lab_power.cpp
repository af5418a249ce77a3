// mixnet-coord's optical power check on a whole lab: with cover-1 applied the default lab passes;
// `mixnet-lab fault weak` on one NIC port is reported on exactly that port's two OCS ports (its
// input and its output), nothing else; after `fault clear` nothing is reported again.
#include <catch2/catch.hpp>

#include <set>

#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;

namespace {

const char* kPowerPlaybook = R"(
name: optical power
topologies: [cover.yaml]
steps:
  - {name: apply cover-1, ocs.apply: {topology: cover-1}}
  - {name: optical power, ocs.power: {}}
)";

// The ids of the step's failed items (last attempts), and how many items there were.
std::set<std::string> failed_items(const CoordRun& run, std::size_t& count) {
  std::map<std::string, std::string> last;
  for (const auto& it : run.step("optical power").at("items")) last[it.at("id").get<std::string>()] = it.at("status").get<std::string>();
  count = last.size();
  std::set<std::string> failed;
  for (const auto& [id, status] : last) {
    if (status != "ok" && status != "skipped") failed.insert(id);
  }
  return failed;
}

}  // namespace

TEST_CASE("coord lab: a weak port is reported on its own OCS ports alone, and gone after fault clear", "[coord][lab][power]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto playbook = scratch.write_playbook("power.yaml", kPowerPlaybook);
  const std::string inventory = lab.dir() + "/inventory.yaml";

  std::size_t count = 0;
  const auto healthy = scratch.run(playbook, inventory, "", "healthy");
  INFO(healthy.output);
  REQUIRE(healthy.exit_code == 0);
  CHECK(failed_items(healthy, count).empty());
  CHECK(count == 24);   // 12 NIC ports on the OCS: an input and an output each

  // 12 dB more loss at both of h2:ocs1's OCS ports: its light arrives at about -12 dBm (limit
  // -10), and the circuit into it loses about 13.5 dB (limit 3).
  const auto& weak = lab.inventory().host("h2").port("ocs1");
  const auto injected = lab.fault("weak h2:ocs1 --loss-db 12");
  INFO(injected.output);
  REQUIRE(injected.exit_code == 0);
  const auto faults = nlohmann::json::parse(lab.control("/v1/faults").body);
  CHECK(faults.at("weak_ports").size() == 2);

  const auto reported = scratch.run(playbook, inventory, "", "weak");
  INFO(reported.output);
  CHECK(reported.exit_code == 1);
  const std::string input = "ocs1/" + std::to_string(weak.tx), output = "ocs1/" + std::to_string(weak.rx);
  CHECK(failed_items(reported, count) == std::set<std::string>{input, output});
  CHECK(count == 24);
  const auto& in_item = reported.item("optical power", input);
  CHECK(in_item.at("data").at("nic_port") == "h2:ocs1");
  CHECK(in_item.at("message").get<std::string>().find("< min -10.0 dBm") != std::string::npos);
  const auto& out_item = reported.item("optical power", output);
  CHECK(out_item.at("data").at("role") == "output");
  CHECK(out_item.at("data").at("path_loss_db").get<double>() > 12.0);
  CHECK(reported.results.at("run").at("failed_hosts") == nlohmann::json::array({"h2"}));

  const auto cleared = lab.fault("clear");
  INFO(cleared.output);
  REQUIRE(cleared.exit_code == 0);
  CHECK(nlohmann::json::parse(lab.control("/v1/faults").body).at("weak_ports").empty());
  const auto after = scratch.run(playbook, inventory, "", "cleared");
  INFO(after.output);
  CHECK(after.exit_code == 0);
  CHECK(failed_items(after, count).empty());
}

TEST_CASE("coord lab: fault weak checks its port and loss, and fault clear PORT heals only that port", "[coord][lab][power]") {
  LabUnderTest lab("");
  CHECK(lab.fault("weak h9:ocs0 --loss-db 3").exit_code == 2);
  CHECK(lab.fault("weak h1:eps0 --loss-db 3").exit_code == 2);
  CHECK(lab.fault("weak h1:ocs0 --loss-db 0").exit_code == 2);
  CHECK(lab.fault("weak h1:ocs0 --loss-db 61").exit_code == 2);
  REQUIRE(lab.fault("weak h1:ocs0 --loss-db 4").exit_code == 0);
  REQUIRE(lab.fault("weak h3:ocs2 --loss-db 5").exit_code == 0);
  const auto& a = lab.inventory().host("h1").port("ocs0");
  const auto& b = lab.inventory().host("h3").port("ocs2");
  auto weak = nlohmann::json::parse(lab.control("/v1/faults").body).at("weak_ports");
  CHECK(weak.size() == 4);
  CHECK(weak.at(std::to_string(a.tx)) == 4.0);
  CHECK(weak.at(std::to_string(a.rx)) == 4.0);
  CHECK(weak.at(std::to_string(b.rx)) == 5.0);
  REQUIRE(lab.fault("clear h1:ocs0").exit_code == 0);
  weak = nlohmann::json::parse(lab.control("/v1/faults").body).at("weak_ports");
  CHECK(weak.size() == 2);
  CHECK(weak.contains(std::to_string(b.tx)));
}
