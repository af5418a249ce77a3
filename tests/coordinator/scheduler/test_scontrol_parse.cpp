// Reading `scontrol show node -o NAME` (coordinator/scheduler/scontrol_parse.hpp) on lines
// copied from Slurm 22.05: the state flags, and the reason with its user and time even when the
// reason holds '=', brackets or '@', and fields with spaces before it.
#include <catch2/catch.hpp>

#include "coordinator/scheduler/scontrol_parse.hpp"

using namespace mixnet;
using namespace mixnet::coord::scheduler;

namespace {

// Real output of `scontrol show node -o n1` (Slurm 22.05.8), an idle node; note the OS field
// with spaces and the CfgTRES field with '=' inside its value.
constexpr const char* kIdle =
    "NodeName=n1 Arch=x86_64 CoresPerSocket=1  CPUAlloc=0 CPUEfctv=1 CPUTot=1 CPULoad=8.16 AvailableFeatures=(null) "
    "ActiveFeatures=(null) Gres=(null) NodeAddr=198.18.250.11 NodeHostName=n1 Version=22.05.8 OS=Linux 6.18.44-fc-v1300 "
    "#1 SMP PREEMPT_DYNAMIC @0  RealMemory=1 AllocMem=0 FreeMem=13122 Sockets=1 Boards=1 State=IDLE ThreadsPerCore=1 "
    "TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A Partitions=debug  BootTime=2026-12-06T14:05:46 "
    "SlurmdStartTime=2026-12-06T20:02:03 LastBusyTime=2026-12-06T20:02:03 CfgTRES=cpu=1,mem=1M,billing=1 AllocTRES= "
    "CapWatts=n/a CurrentWatts=0 AveWatts=0 ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s\n";

std::string drained(const std::string& reason_field) {
  std::string line = kIdle;
  line.pop_back();
  const auto at = line.find("State=IDLE");
  line.replace(at, 10, "State=IDLE+DRAIN");
  return line + " Reason=" + reason_field + "\n";
}

}  // namespace

TEST_CASE("an idle node: its state and no reason") {
  auto st = parse_scontrol_node(kIdle, "n1");
  REQUIRE(st.has_value());
  CHECK(st->node == "n1");
  CHECK(st->state == "IDLE");
  CHECK(st->flags == std::vector<std::string>{"IDLE"});
  CHECK_FALSE(st->drained());
  CHECK(st->reason.empty());
  CHECK(st->reason_user.empty());
}

TEST_CASE("a drained node: flags, the reason as set, who set it and when") {
  auto st = parse_scontrol_node(drained("mixnet: h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0) [root@2026-12-06T20:02:08]"), "n1");
  REQUIRE(st.has_value());
  CHECK(st->state == "IDLE+DRAIN");
  CHECK(st->flags == std::vector<std::string>{"IDLE", "DRAIN"});
  CHECK(st->drained());
  CHECK(st->reason == "mixnet: h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)");
  CHECK(st->reason_user == "root");
  CHECK(st->reason_time == "2026-12-06T20:02:08");
}

TEST_CASE("a reason a person typed with '=', brackets and '@' stays whole") {
  auto st = parse_scontrol_node(drained("bad dimm slot=3 [ticket 12@ops] see x=y [alice@2026-12-01T08:00:00]"), "n1");
  REQUIRE(st.has_value());
  CHECK(st->reason == "bad dimm slot=3 [ticket 12@ops] see x=y");
  CHECK(st->reason_user == "alice");
  CHECK(st->reason_time == "2026-12-01T08:00:00");
}

TEST_CASE("fields printed after the reason (Comment=, Extra=) are not part of it") {
  auto st = parse_scontrol_node(drained("memory errors [bob@2026-12-02T09:10:11] Comment=rack 4 Extra=x"), "n1");
  REQUIRE(st.has_value());
  CHECK(st->reason == "memory errors");
  CHECK(st->reason_user == "bob");
}

TEST_CASE("state suffixes and several flags") {
  std::string line = kIdle;
  line.replace(line.find("State=IDLE"), 10, "State=DOWN*+DRAIN+NOT_RESPONDING");
  auto st = parse_scontrol_node(line, "n1");
  REQUIRE(st.has_value());
  CHECK(st->flags == std::vector<std::string>{"DOWN", "DRAIN", "NOT_RESPONDING"});
  CHECK(st->drained());
  CHECK(st->has_flag("NOT_RESPONDING"));
}

TEST_CASE("an answer for another node, or without a state, is a protocol error naming the node") {
  auto other = parse_scontrol_node(kIdle, "n2");
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().code == Errc::protocol);
  CHECK(other.error().message.find("n2") != std::string::npos);

  auto garbage = parse_scontrol_node("slurm_load_node error: something", "n1");
  REQUIRE_FALSE(garbage.has_value());
  CHECK(garbage.error().code == Errc::protocol);

  auto no_state = parse_scontrol_node("NodeName=n1 Arch=x86_64", "n1");
  REQUIRE_FALSE(no_state.has_value());
  CHECK(no_state.error().message.find("State") != std::string::npos);

  auto two = parse_scontrol_node(std::string(kIdle) + kIdle, "n1");
  REQUIRE_FALSE(two.has_value());
  CHECK(two.error().code == Errc::protocol);
}
