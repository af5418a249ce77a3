// A lab with regions (`--hosts-per-region`): one emulated OCS per region, each host's OCS ports
// cabled only to its region's switch, status and faults per switch, and nothing left behind by
// `down`, also after `up` or the lab's own processes were killed with SIGKILL.
#include <catch2/catch.hpp>
#include <csignal>
#include <fstream>
#include <set>

#include "hwdrivers/ocs/optical_switch.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;
using namespace std::chrono_literals;

namespace {

const char* const kTwoRegions = "--hosts 4 --ocs-ports 2 --eps-ports 1 --hosts-per-region 2";

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// The NIC ports (ids "h3:ocs0") a plane file or GET /v1/plane names.
std::set<std::string> end_ids(const nlohmann::json& plane) {
  std::set<std::string> out;
  for (const auto& e : plane.at("ends")) out.insert(e.at("id").get<std::string>());
  return out;
}

// The ends of a switch's plane that carry a dark fault now.
std::set<std::string> dark_ends(const LabUnderTest& lab, const std::string& switch_name) {
  const auto r = lab.control_of(switch_name, "/v1/plane");
  REQUIRE(r.status == 200);
  const auto plane = r.json();   // kept: a loop over r.json().at(..) would walk a destroyed temporary
  std::set<std::string> out;
  for (const auto& e : plane.at("ends")) {
    if (e.at("faults").at("dark").get<bool>()) out.insert(e.at("id").get<std::string>());
  }
  return out;
}

// Makes the two-way circuit between HOST_A:PORT and HOST_B:PORT on their switch, over its TL1 URI.
void join_on(const LabUnderTest& lab, const std::string& switch_name, const std::string& a, const std::string& b,
             const std::string& port) {
  const auto& inv = lab.inventory();
  const LabPort& pa = inv.host(a).port(port);
  const LabPort& pb = inv.host(b).port(port);
  auto sw = mixnet::ocs::open_switch(inv.ocs(switch_name).tl1_uri);
  REQUIRE(sw.has_value());
  const auto r = (*sw)->apply({{{std::to_string(pa.tx), std::to_string(pb.rx), false},
                                {std::to_string(pb.tx), std::to_string(pa.rx), false}},
                               {}});
  REQUIRE(r.has_value());
}

// Pids `up` recorded in the lab's state file (agents and emulators).
std::vector<pid_t> recorded_pids(const std::string& dir) {
  std::vector<pid_t> out;
  std::ifstream in(dir + "/state.jsonl");
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("pid")) out.push_back(j.at("pid").get<pid_t>());
  }
  return out;
}

}  // namespace

TEST_CASE("lab regions: each region's hosts are cabled to its own switch, status and faults follow", "[lab][regions]") {
  const std::string name = unique_lab_name();
  const Snapshot before = snapshot(name);
  {
    LabUnderTest lab(kTwoRegions);
    const auto& inv = lab.inventory();
    // Two switches, each its own emulator (own control port).
    REQUIRE(inv.switches.size() == 2);
    CHECK(inv.switches[0].name == "ocs1");
    CHECK(inv.switches[1].name == "ocs2");
    CHECK(inv.switches[0].control_port != inv.switches[1].control_port);
    CHECK(inv.switches[0].tl1_uri != inv.switches[1].tl1_uri);
    for (const auto& h : inv.hosts) {
      const std::string want = (h.name == "h1" || h.name == "h2") ? "ocs1" : "ocs2";
      for (const auto& p : h.ports) {
        INFO(h.name << ":" << p.name);
        if (p.ocs) CHECK(p.switch_name == want);
      }
    }
    // Each region's plane file holds its own hosts' ends in its own namespace, and so does the
    // plane its emulator runs.
    const auto plane1 = read_json_file(lab.dir() + "/plane-ocs1.json");
    const auto plane2 = read_json_file(lab.dir() + "/plane-ocs2.json");
    CHECK(plane1.at("netns") == "mxl-" + lab.name() + "-ocs1");
    CHECK(plane2.at("netns") == "mxl-" + lab.name() + "-ocs2");
    const std::set<std::string> region1 = {"h1:ocs0", "h1:ocs1", "h2:ocs0", "h2:ocs1"};
    const std::set<std::string> region2 = {"h3:ocs0", "h3:ocs1", "h4:ocs0", "h4:ocs1"};
    CHECK(end_ids(plane1) == region1);
    CHECK(end_ids(plane2) == region2);
    CHECK(end_ids(lab.control_of("ocs1", "/v1/plane").json()) == region1);
    CHECK(end_ids(lab.control_of("ocs2", "/v1/plane").json()) == region2);
    const Snapshot running = snapshot(lab.name());
    CHECK(running.entries.contains("netns:mxl-" + lab.name() + "-ocs1"));
    CHECK(running.entries.contains("netns:mxl-" + lab.name() + "-ocs2"));
    CHECK_FALSE(running.entries.contains("netns:mxl-" + lab.name() + "-ocs"));
    std::size_t processes = 0;
    for (const auto& e : running.entries) processes += e.starts_with("process:") ? 1 : 0;
    CHECK(processes == 6);   // four agents, two emulators

    // A circuit on region 2's switch lights its two ports; region 1's switch knows nothing of it.
    join_on(lab, "ocs2", "h3", "h4", "ocs0");
    CHECK(lab.wait_carrier("h3", "ocs0", true));
    CHECK(lab.wait_carrier("h4", "ocs0", true));
    CHECK(udp_reaches(inv, "h3", "ocs0", "h4", "ocs0"));
    CHECK(lab.control_of("ocs1", "/v1/connections").json().empty());
    CHECK(lab.control_of("ocs2", "/v1/connections").json().size() == 2);

    // status shows both switches, each with its own circuits named by NIC ports.
    const auto status = run_lab("status --json --name " + lab.name());
    INFO(status.output);
    REQUIRE(status.exit_code == 0);
    const auto st = nlohmann::json::parse(status.output);
    REQUIRE(st.at("switches").size() == 2);
    CHECK(st.at("switches").at(0).at("name") == "ocs1");
    CHECK(st.at("switches").at(0).at("alive") == true);
    CHECK(st.at("switches").at(0).at("circuits").empty());
    CHECK(st.at("switches").at(1).at("alive") == true);
    for (const auto& c : st.at("switches").at(1).at("circuits")) {
      const std::set<std::string> ends = {c.at("from_port").get<std::string>(), c.at("to_port").get<std::string>()};
      CHECK(ends == std::set<std::string>{"h3:ocs0", "h4:ocs0"});
    }
    const auto text = run_lab("status --name " + lab.name());
    CHECK(text.output.find("OCS ocs2 ") != std::string::npos);

    // A fault on a region-2 port reaches region 2's plane only, and takes its circuit down.
    const auto dark = lab.fault("dark h3:ocs0");
    INFO(dark.output);
    REQUIRE(dark.exit_code == 0);
    CHECK(dark_ends(lab, "ocs2") == std::set<std::string>{"h3:ocs0"});
    CHECK(dark_ends(lab, "ocs1").empty());
    CHECK(lab.wait_carrier("h4", "ocs0", false));
    // A miswire swaps fibres on one switch: two regions' ports are refused, naming B.
    const auto across = lab.fault("miswire h1:ocs0 h3:ocs1");
    CHECK(across.exit_code == 2);
    CHECK(across.output.find("B:") != std::string::npos);
    // clear without a port clears every switch.
    REQUIRE(lab.fault("clear").exit_code == 0);
    CHECK(dark_ends(lab, "ocs2").empty());
    CHECK(lab.wait_carrier("h4", "ocs0", true));
  }
  const Snapshot after = snapshot(name);
  INFO(describe_difference(before, after));
  CHECK(after == before);
}

TEST_CASE("lab regions: down leaves nothing after up or the lab's processes were killed with SIGKILL", "[lab][regions]") {
  // `up` killed part-way: while it makes namespaces, starts the emulators, starts the agents.
  const auto sweep = kill_up_then_down({"--hosts", "6", "--ocs-ports", "2", "--hosts-per-region", "2"}, {20, 80, 200, 500});
  INFO(sweep.failures);
  CHECK(sweep.failures.empty());
  CHECK(sweep.something_made >= 1);   // the kills landed while `up` had made something

  // A whole lab whose agents and emulators all died by SIGKILL.
  const std::string name = unique_lab_name();
  const Snapshot before = snapshot(name);
  const auto up = run_lab("up --name " + name + " " + kTwoRegions);
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  const auto pids = recorded_pids("/run/mixnet-lab/" + name);
  CHECK(pids.size() == 6);
  for (const pid_t p : pids) ::kill(p, SIGKILL);
  const auto down = down_and_compare(name, before);
  INFO(down.down.output);
  CHECK(down.down.exit_code == 0);
  INFO(down.difference);
  CHECK(down.difference.empty());
}
