// SlurmScheduler and its dry run (coordinator/scheduler/slurm_scheduler.hpp) against a stand-in
// `scontrol` script that logs its arguments and environment: the exact argv of each call (the
// reason one argument, no shell), SLURM_CONF passed on, scontrol's errors turned into codes that
// name the node and the command, the deadline, and a dry run that prints instead of running.
// The real scontrol against a real slurmctld is tests/integration/test_slurm.cpp.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "coordinator/scheduler/slurm_scheduler.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord::scheduler;
using namespace std::chrono_literals;

namespace {

// Answers like scontrol 22.05 for node n1 (drained when a drain was logged last), "not found"
// for any other node, and "Unable to contact" when the file `down` exists.
constexpr const char* kFakeScontrol = R"sh(#!/bin/sh
dir=$(dirname "$0")
printf 'SLURM_CONF=%s\n' "$SLURM_CONF" >> "$dir/log"
for a in "$@"; do printf '[%s]' "$a" >> "$dir/log"; done
echo >> "$dir/log"
if [ -e "$dir/down" ]; then echo "slurm_load_node error: Unable to contact slurm controller (connect failure)" >&2; exit 1; fi
if [ -e "$dir/slow" ]; then sleep 30; fi
case "$1" in
show)
  if [ "$4" != n1 ]; then echo "Node $4 not found" >&2; exit 1; fi
  if [ -e "$dir/drained" ]; then
    echo "NodeName=n1 Arch=x86_64 OS=Linux 6.1 #1 SMP State=IDLE+DRAIN ThreadsPerCore=1 Reason=$(cat "$dir/drained") [root@2026-12-06T20:02:08]"
  else
    echo "NodeName=n1 Arch=x86_64 OS=Linux 6.1 #1 SMP State=IDLE ThreadsPerCore=1"
  fi ;;
update)
  if [ "$3" = State=DRAIN ]; then printf '%s' "${4#Reason=}" > "$dir/drained"; exit 0; fi
  if [ ! -e "$dir/drained" ]; then echo "slurm_update error: Invalid node state specified" >&2; exit 1; fi
  rm -f "$dir/drained" ;;
esac
)sh";

struct FakeScontrol {
  mixnet::testing::ScratchDir dir{"mixnet-fake-scontrol"};
  std::string program = dir.path + "/scontrol";
  FakeScontrol() {
    std::ofstream(program) << kFakeScontrol;
    ::chmod(program.c_str(), 0755);
  }
  [[nodiscard]] std::string log() const {
    std::ifstream in(dir.path + "/log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void touch(const std::string& name) const { std::ofstream(dir.path + "/" + name) << ""; }
};

}  // namespace

TEST_CASE("show, drain and resume run scontrol with the exact arguments and SLURM_CONF") {
  FakeScontrol fake;
  SlurmScheduler slurm(SlurmOptions{.scontrol = fake.program, .slurm_conf = "/etc/slurm/lab.conf", .timeout = 10s});
  auto idle = slurm.show("n1");
  REQUIRE(idle.has_value());
  CHECK_FALSE(idle->drained());

  const std::string reason = "mixnet: h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0) $(rm -rf /)";
  REQUIRE(slurm.drain("n1", reason).has_value());
  auto drained = slurm.show("n1");
  REQUIRE(drained.has_value());
  CHECK(drained->drained());
  CHECK(drained->reason == reason);
  CHECK(drained->reason_user == "root");
  REQUIRE(slurm.resume("n1").has_value());

  CHECK(fake.log() ==
        "SLURM_CONF=/etc/slurm/lab.conf\n[show][node][-o][n1]\n"
        "SLURM_CONF=/etc/slurm/lab.conf\n[update][NodeName=n1][State=DRAIN][Reason=" + reason + "]\n"
        "SLURM_CONF=/etc/slurm/lab.conf\n[show][node][-o][n1]\n"
        "SLURM_CONF=/etc/slurm/lab.conf\n[update][NodeName=n1][State=RESUME]\n");
}

TEST_CASE("scontrol's failures become codes, and every error names the node and the command") {
  FakeScontrol fake;
  SlurmScheduler slurm(SlurmOptions{.scontrol = fake.program, .slurm_conf = "", .timeout = 10s});
  auto missing = slurm.show("n7");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == Errc::not_found);
  CHECK(missing.error().message.find("node n7") != std::string::npos);
  CHECK(missing.error().message.find("show node -o n7") != std::string::npos);
  CHECK(missing.error().message.find("Node n7 not found") != std::string::npos);

  auto refused = slurm.resume("n1");   // not drained: Slurm refuses the state change
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == Errc::denied);
  CHECK(refused.error().message.find("State=RESUME") != std::string::npos);

  fake.touch("down");
  auto down = slurm.show("n1");
  REQUIRE_FALSE(down.has_value());
  CHECK(down.error().code == Errc::unavailable);

  SlurmScheduler absent(SlurmOptions{.scontrol = fake.dir.path + "/no-scontrol", .slurm_conf = "", .timeout = 10s});
  auto none = absent.show("n1");
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().code == Errc::unavailable);
}

TEST_CASE("a node name that is not one plain name is refused before anything runs") {
  FakeScontrol fake;
  SlurmScheduler slurm(SlurmOptions{.scontrol = fake.program, .slurm_conf = "", .timeout = 10s});
  for (const std::string bad : {"n[1-4]", "n1,n2", "", "a b"}) {
    auto r = slurm.drain(bad, "mixnet: x");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "node");
  }
  auto no_reason = slurm.drain("n1", "  ");
  REQUIRE_FALSE(no_reason.has_value());
  CHECK(no_reason.error().field == "reason");
  CHECK(fake.log().empty());
}

TEST_CASE("a scontrol that hangs is killed at the deadline") {
  FakeScontrol fake;
  fake.touch("slow");
  SlurmScheduler slurm(SlurmOptions{.scontrol = fake.program, .slurm_conf = "", .timeout = 300ms});
  auto r = slurm.show("n1");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::timeout);
  CHECK(r.error().message.find("node n1") != std::string::npos);
}

TEST_CASE("a dry run reads the node but gives back the update commands instead of running them") {
  FakeScontrol fake;
  SlurmScheduler slurm(SlurmOptions{.scontrol = fake.program, .slurm_conf = "/etc/slurm/lab.conf", .timeout = 10s});
  DryRunScheduler dry(slurm);
  CHECK(dry.dry_run());
  REQUIRE(dry.show("n1").has_value());
  REQUIRE(dry.drain("n1", "mixnet: h3:ocs1 dark").has_value());
  REQUIRE(dry.resume("n1").has_value());
  const std::string p = fake.program;
  CHECK(dry.printed() == std::vector<std::string>{"SLURM_CONF=/etc/slurm/lab.conf " + p + " update NodeName=n1 State=DRAIN 'Reason=mixnet: h3:ocs1 dark'",
                                                  "SLURM_CONF=/etc/slurm/lab.conf " + p + " update NodeName=n1 State=RESUME"});
  CHECK(fake.log() == "SLURM_CONF=/etc/slurm/lab.conf\n[show][node][-o][n1]\n");   // only the read ran
  auto still = slurm.show("n1");
  REQUIRE(still.has_value());
  CHECK_FALSE(still->drained());
}
