// mixnet-lab up / down as a process: nothing is left behind, also after `up` was killed part-way;
// `up` refuses over an existing lab unless told to replace it.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/support/netns.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;
using namespace std::chrono_literals;

TEST_CASE("lab up then down leaves nothing behind", "[lab]") {
  const std::string name = unique_lab_name();
  const Snapshot before = snapshot(name);
  const auto up = run_lab("up --name " + name + " --hosts 3 --ocs-ports 2 --eps-ports 2");
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  const Snapshot running = snapshot(name);
  // The lab really exists: its namespaces, its root link, its processes and its files.
  CHECK(running.entries.contains("netns:mxl-" + name + "-h3"));
  CHECK(running.entries.contains("netns:mxl-" + name + "-ocs"));
  CHECK(running.entries.contains("link:mxl-" + name + "-m"));
  CHECK(running.entries.contains("file:/run/mixnet-lab/" + name + "/inventory.yaml"));
  CHECK(std::filesystem::status("/run/mixnet-lab/" + name + "/token").permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  std::size_t processes = 0;
  for (const auto& e : running.entries) processes += e.starts_with("process:") ? 1 : 0;
  CHECK(processes == 4);  // three agents and the emulator
  // A host namespace's settings (docs/lab.md): ARP answered and sent per port, and no IPv6, whose
  // per-port work on every carrier change the one kernel's linkwatch worker would otherwise do.
  const std::string host_ns = "mxl-" + name + "-h2";
  const auto read_in_host = [&host_ns](const std::string& command) { return run_command("ip netns exec " + host_ns + " " + command); };
  CHECK(read_in_host("cat /proc/sys/net/ipv4/conf/all/arp_ignore") == "1\n");
  CHECK(read_in_host("cat /proc/sys/net/ipv4/conf/all/arp_announce") == "2\n");
  CHECK(read_in_host("cat /proc/sys/net/ipv6/conf/ocs0/disable_ipv6") == "1\n");
  CHECK(read_in_host("cat /proc/sys/net/ipv6/conf/eps1/disable_ipv6") == "1\n");
  CHECK(read_in_host("ip -6 -o addr show") == "");

  const auto down = run_lab("down --name " + name);
  INFO(down.output);
  REQUIRE(down.exit_code == 0);
  const Snapshot after = snapshot(name);
  INFO(describe_difference(before, after));
  CHECK(after == before);

  const auto again = run_lab("down --name " + name);
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("nothing to remove") != std::string::npos);
}

TEST_CASE("lab down cleans up after up was killed with SIGKILL part-way", "[lab]") {
  // Kill points spread over the whole of `up` for an 8-host lab: while namespaces and links are
  // being made, while the emulator starts, while agents start, and after it is done.
  const auto sweep = kill_up_then_down({"--hosts", "8", "--ocs-ports", "4", "--eps-ports", "2"}, {5, 25, 60, 120, 250, 600});
  INFO(sweep.failures);
  CHECK(sweep.failures.empty());
  CHECK(sweep.something_made >= 1);   // the kills landed while `up` had made something
}

TEST_CASE("lab up refuses over an existing lab unless --replace", "[lab]") {
  const std::string name = unique_lab_name();
  const Snapshot before = snapshot(name);
  REQUIRE(run_lab("up --name " + name + " --hosts 2").exit_code == 0);
  const std::string token_before = read_inventory("/run/mixnet-lab/" + name).token;

  const auto refused = run_lab("up --name " + name + " --hosts 2");
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("exists") != std::string::npos);
  // The refusal touched nothing: same token, agents still answering.
  CHECK(read_inventory("/run/mixnet-lab/" + name).token == token_before);
  CHECK(run_lab("status --name " + name).exit_code == 0);

  const auto replaced = run_lab("up --name " + name + " --hosts 3 --replace");
  INFO(replaced.output);
  CHECK(replaced.exit_code == 0);
  const auto lab = read_inventory("/run/mixnet-lab/" + name);
  CHECK(lab.hosts.size() == 3);
  CHECK(lab.token != token_before);
  CHECK(run_lab("status --name " + name).exit_code == 0);

  REQUIRE(run_lab("down --name " + name).exit_code == 0);
  const Snapshot after = snapshot(name);
  INFO(describe_difference(before, after));
  CHECK(after == before);
}

TEST_CASE("lab up rejects bad sizes naming the flag, and makes nothing", "[lab]") {
  const std::string name = unique_lab_name();
  const Snapshot before = snapshot(name);
  const auto small = run_lab("up --name " + name + " --hosts 4 --ocs-ports 6 --switch-size 16x16");
  CHECK(small.exit_code == 2);
  CHECK(small.output.find("--switch-size") != std::string::npos);
  const auto bad_name = run_lab("up --name Bad-Name");
  CHECK(bad_name.exit_code == 2);
  CHECK(bad_name.output.find("--name") != std::string::npos);
  const auto bad_profile = run_lab("up --name " + name + " --profile warp");
  CHECK(bad_profile.exit_code == 2);
  CHECK(bad_profile.output.find("--profile") != std::string::npos);
  CHECK(snapshot(name) == before);
}

TEST_CASE("lab up reads a config file, flags override it, unknown keys are refused", "[lab]") {
  const std::string name = unique_lab_name();
  const std::string file = "/tmp/" + name + "-lab.yaml";
  {
    std::ofstream out(file);
    out << "name: " << name << "\nhosts: 2\nocs_ports: 2\neps_ports: 0\ngpus: 4\nswitch_size: 8xCC\nseed: 3\n";
  }
  const auto up = run_lab("up --config " + file + " --hosts 3");
  INFO(up.output);
  REQUIRE(up.exit_code == 0);
  const auto lab = read_inventory("/run/mixnet-lab/" + name);
  CHECK(lab.hosts.size() == 3);   // the flag won
  for (const auto& h : lab.hosts) {
    CHECK(h.ports.size() == 2);
    for (const auto& p : h.ports) {
      CHECK(p.port >= 1);           // any-to-any: one switch port per NIC port
      CHECK(p.port <= 8);
    }
  }
  CHECK(run_lab("down --name " + name).exit_code == 0);
  {
    std::ofstream out(file);
    out << "name: " << name << "\nhostz: 2\n";
  }
  const auto bad = run_lab("up --config " + file);
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("hostz") != std::string::npos);
  CHECK(bad.output.find(":2:") != std::string::npos);  // the line
  std::remove(file.c_str());
}
