// The inventory mixnet-lab writes matches the running lab: every agent reports exactly the
// inventory's ports (with the recorded MACs and addresses), and the cabling is shuffled and
// reproducible by seed.
#include <catch2/catch.hpp>
#include <sched.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;

TEST_CASE("every lab agent answers with exactly the inventory's port set", "[lab]") {
  LabUnderTest lab("");  // the default: the MixNet prototype
  const auto& inv = lab.inventory();
  REQUIRE(inv.hosts.size() == 4);
  for (const auto& h : inv.hosts) {
    INFO(h.name);
    CHECK(h.ports.size() == 4);
    const auto reply = lab.agent(h.name, "/v1/inventory");
    REQUIRE(reply.status == 200);
    const auto j = reply.json();
    CHECK(j.at("host_id") == h.name);
    std::set<std::string> reported, expected;
    for (const auto& p : j.at("ports")) {
      reported.insert(p.at("name").get<std::string>());
      const auto& mine = h.port(p.at("name").get<std::string>());
      CHECK(p.at("mac") == mine.mac);
      bool has_address = false;
      for (const auto& a : p.at("ipv4")) has_address = has_address || a.get<std::string>().starts_with(mine.address + "/");
      CHECK(has_address);
    }
    for (const auto& p : h.ports) expected.insert(p.name);
    CHECK(reported == expected);
    // Without the token the agent refuses.
    HttpCall anonymous;
    anonymous.target = "/v1/inventory";
    CHECK(lab.agent_call(h.name, anonymous).status == 401);
  }
  // The prototype: 3 OCS ports and 1 EPS port per host, 8 GPUs recorded, a 16x16 switch.
  int ocs = 0;
  for (const auto& h : inv.hosts) {
    for (const auto& p : h.ports) ocs += p.ocs ? 1 : 0;
  }
  CHECK(ocs == 12);
}

namespace {

std::vector<std::tuple<std::string, int, int>> cabling_of(const std::string& seed_args) {
  LabUnderTest lab("--hosts 4 --ocs-ports 3 " + seed_args);
  std::vector<std::tuple<std::string, int, int>> out;
  for (const auto& h : lab.inventory().hosts) {
    for (const auto& p : h.ports) {
      if (p.ocs) out.emplace_back(h.name + ":" + p.name, p.tx, p.rx);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("lab cabling is shuffled, and reproducible by seed", "[lab]") {
  const auto a = cabling_of("--seed 7");
  const auto b = cabling_of("--seed 7");
  const auto c = cabling_of("--seed 8");
  REQUIRE(a.size() == 12);
  CHECK(a == b);
  CHECK(a != c);
  // Not the identity (NIC port k on input k+1, output 16+k+1), and every switch port used once.
  bool identity = true;
  std::set<int> ins, outs;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const auto& [name, tx, rx] = a[k];
    identity = identity && tx == static_cast<int>(k) + 1 && rx == 16 + static_cast<int>(k) + 1;
    CHECK(tx >= 1);
    CHECK(tx <= 16);
    CHECK(rx >= 17);
    CHECK(rx <= 32);
    ins.insert(tx);
    outs.insert(rx);
  }
  CHECK_FALSE(identity);
  CHECK(ins.size() == a.size());
  CHECK(outs.size() == a.size());
}

namespace {

// The command lines of this lab's agents (their /proc/PID/cmdline, NULs as spaces).
std::vector<std::string> agent_command_lines(const std::string& lab_dir) {
  std::vector<std::string> out;
  for (const auto& proc : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = proc.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(proc.path() / "cmdline");
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find("mixnet-agent") != std::string::npos && cmd.find(lab_dir + "/token") != std::string::npos) out.push_back(cmd);
  }
  return out;
}

}  // namespace

TEST_CASE("lab agents read their carrier bits at the configured period", "[lab]") {
  {
    LabUnderTest lab("");   // up to 8 hosts: 100 us by default
    const auto cmds = agent_command_lines(lab.dir());
    REQUIRE(cmds.size() == 4);
    for (const auto& c : cmds) CHECK(c.find("--carrier-poll-us 100 ") != std::string::npos);
  }
  {
    LabUnderTest lab("--hosts 2 --carrier-poll-us 0");
    const auto cmds = agent_command_lines(lab.dir());
    REQUIRE(cmds.size() == 2);
    for (const auto& c : cmds) CHECK(c.find("--carrier-poll-us") == std::string::npos);
  }
  const auto refused = run_lab("up --name " + unique_lab_name() + " --carrier-poll-us 20");
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("carrier_poll_us") != std::string::npos);
}

TEST_CASE("lab agents and emulator take the configured stamping priority (--stamp-priority, default theirs)", "[lab]") {
  {
    // 0: the lab at normal priority, as a comparison runs it; the flag reaches every process.
    LabUnderTest lab("--hosts 1 --stamp-priority 0");
    const auto cmds = agent_command_lines(lab.dir());
    REQUIRE(cmds.size() == 1);
    CHECK(cmds[0].find("--stamp-priority 0") != std::string::npos);
    int agents_at_normal = 0;
    for (const auto& proc : std::filesystem::directory_iterator("/proc")) {
      const std::string pid = proc.path().filename();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(proc.path() / "cmdline");
      std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (cmd.find(lab.dir() + "/token") == std::string::npos || cmd.find("--stamp-priority") == std::string::npos) continue;
      if (sched_getscheduler(std::stoi(pid)) == SCHED_OTHER) ++agents_at_normal;
    }
    CHECK(agents_at_normal == 2);   // the agent and the emulator (both read the lab's token)
  }
  const auto refused = run_lab("up --name " + unique_lab_name() + " --stamp-priority 100");
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("stamp_priority") != std::string::npos);
}
