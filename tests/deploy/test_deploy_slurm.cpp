// deploy/slurm/: every script passes `bash -n`, and the prolog/epilog does what docs/deploy.md
// says, run against a stand-in systemctl (and logger) in a scratch folder: the agent is started
// for the first job that needs it and stopped after the last, an agent systemd runs permanently
// or someone started by hand is never touched, and nothing it meets fails the job.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "common/subprocess.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/text_file.hpp"

namespace {

const std::string kSlurmDeployDir = std::string(MIXNET_SOURCE_DIR) + "/deploy/slurm";
const std::string kPrologEpilog = kSlurmDeployDir + "/mixnet-agent-prolog-epilog.sh";

// A scratch node: fake/systemctl keeps the unit's state in files (enabled, active; start-fails
// makes `start` fail) and appends each call to `calls`; fake/logger appends to `log`.
struct FakeSlurmNode {
  mixnet::testing::ScratchDir dir{"mixnet-deploy-slurm"};

  FakeSlurmNode() {
    std::filesystem::create_directory(dir.path + "/fake");
    write_program("systemctl", R"(#!/bin/bash
echo "$*" >>"$FAKE_NODE/calls"
[ "$1" = --quiet ] && shift
case "$1" in
  is-enabled) [ -e "$FAKE_NODE/enabled" ] ;;
  is-active) [ -e "$FAKE_NODE/active" ] ;;
  start) [ ! -e "$FAKE_NODE/start-fails" ] && : >"$FAKE_NODE/active" ;;
  stop) rm -f "$FAKE_NODE/active" ;;
  *) exit 1 ;;
esac
)");
    write_program("logger", "#!/bin/bash\necho \"$*\" >>\"$FAKE_NODE/log\"\n");
  }

  void write_program(const std::string& name, const std::string& text) const {
    const std::string path = dir.path + "/fake/" + name;
    std::ofstream(path) << text;
    REQUIRE(::chmod(path.c_str(), 0755) == 0);
  }
  void touch(const std::string& name) const { std::ofstream(dir.path + "/" + name); }
  bool has(const std::string& name) const { return std::filesystem::exists(dir.path + "/" + name); }
  std::string calls() const { return mixnet::testing::read_all(dir.path + "/calls"); }
  std::string log() const { return mixnet::testing::read_all(dir.path + "/log"); }

  // Runs the script as slurmd would: SLURM_SCRIPT_CONTEXT and the job's variables, no arguments.
  int run(const std::string& context, const std::string& job, const std::string& partition = "gpu") const {
    mixnet::ProgramRun run;
    run.argv = {"/bin/bash", kPrologEpilog};
    run.env = {{"PATH", dir.path + "/fake:/usr/sbin:/usr/bin:/sbin:/bin"},
               {"FAKE_NODE", dir.path},
               {"MIXNET_SLURM_STATE_DIR", dir.path + "/state"},
               {"MIXNET_SLURM_DEFAULTS", dir.path + "/defaults"},
               {"SLURM_SCRIPT_CONTEXT", context},
               {"SLURM_JOB_ID", job},
               {"SLURM_JOB_PARTITION", partition}};
    auto result = mixnet::run_program(run);
    REQUIRE(result);
    CHECK(result->err.empty());   // it says everything through logger; bash errors would land here
    return result->exit_code;
  }
};

}  // namespace

TEST_CASE("every script under deploy/ passes bash -n", "[deploy][slurm]") {
  std::size_t scripts = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(MIXNET_SOURCE_DIR) + "/deploy")) {
    if (entry.path().extension() != ".sh") continue;
    ++scripts;
    INFO(entry.path().string());
    auto r = mixnet::run_program({"bash", "-n", entry.path().string()}, "", std::chrono::seconds(10));
    REQUIRE(r);
    INFO(r->out);
    CHECK(r->exit_code == 0);
  }
  CHECK(scripts >= 1);
}

TEST_CASE("slurm prolog starts the agent for the first job, epilog stops it after the last", "[deploy][slurm]") {
  const FakeSlurmNode node;
  CHECK(node.run("prolog_slurmd", "101") == 0);
  CHECK(node.has("active"));
  CHECK(node.run("prolog_slurmd", "102") == 0);   // running already: not started twice
  CHECK(node.run("epilog_slurmd", "101") == 0);
  CHECK(node.has("active"));                      // job 102 still holds it
  CHECK(node.run("epilog_slurmd", "102") == 0);
  CHECK_FALSE(node.has("active"));
  CHECK(mixnet::testing::count_of(node.calls(), "start mixnet-agent.service") == 1);
  CHECK(mixnet::testing::count_of(node.calls(), "stop mixnet-agent.service") == 1);
  CHECK(node.calls().find("start") < node.calls().find("stop"));

  // A job whose prolog did nothing (another partition) ends without touching the agent.
  std::ofstream(node.dir.path + "/defaults") << "MIXNET_SLURM_PARTITIONS=\"testbed debug\"\n";
  CHECK(node.run("prolog_slurmd", "103", "gpu") == 0);
  CHECK_FALSE(node.has("active"));
  CHECK(node.run("prolog_slurmd", "104", "testbed") == 0);
  CHECK(node.has("active"));
  CHECK(node.run("epilog_slurmd", "103", "gpu") == 0);
  CHECK(node.has("active"));
  CHECK(node.run("epilog_slurmd", "104", "testbed") == 0);
  CHECK_FALSE(node.has("active"));
}

TEST_CASE("slurm prolog and epilog leave an agent they did not start alone", "[deploy][slurm]") {
  const FakeSlurmNode node;
  SECTION("enabled in systemd: runs all the time") {
    node.touch("enabled");
    node.touch("active");
    CHECK(node.run("prolog_slurmd", "201") == 0);
    CHECK(node.run("epilog_slurmd", "201") == 0);
    CHECK(node.has("active"));
  }
  SECTION("enabled in systemd but stopped (failed, or stopped by an administrator): systemd's to mend") {
    node.touch("enabled");
    CHECK(node.run("prolog_slurmd", "203") == 0);
    CHECK(node.run("epilog_slurmd", "203") == 0);
    CHECK_FALSE(node.has("active"));
  }
  SECTION("started by hand before the job") {
    node.touch("active");
    CHECK(node.run("prolog_slurmd", "202") == 0);
    CHECK(node.run("epilog_slurmd", "202") == 0);
    CHECK(node.has("active"));
  }
  CHECK(node.calls().find("start") == std::string::npos);
  CHECK(node.calls().find("stop") == std::string::npos);
}

TEST_CASE("slurm prolog never fails the job or drains the node for the agent", "[deploy][slurm]") {
  const FakeSlurmNode node;
  SECTION("the unit does not start") {
    node.touch("start-fails");
    CHECK(node.run("prolog_slurmd", "301") == 0);
    CHECK(node.log().find("systemctl start mixnet-agent.service failed") != std::string::npos);
    CHECK(node.run("epilog_slurmd", "301") == 0);
    CHECK(node.calls().find("stop") == std::string::npos);  // it never ran: nothing to stop
  }
  SECTION("run as neither prolog nor epilog") {
    CHECK(node.run("task_prolog", "302") == 0);
    CHECK(node.log().find("expected prolog or epilog") != std::string::npos);
    CHECK(node.calls().empty());
  }
  SECTION("no job id") {
    CHECK(node.run("prolog_slurmd", "") == 0);
    CHECK(node.log().find("SLURM_JOB_ID") != std::string::npos);
    CHECK(node.calls().empty());
  }
}
