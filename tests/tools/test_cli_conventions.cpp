// What every command line does the same way (common/cli_conventions.hpp), checked on the built
// executables: --version answers the project version and the git revision, and an app's options
// work after its subcommand ("mixnet-ocs --switch URI list --json" was refused).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "common/version.hpp"
#include "tools/ocs-emu/emulator.hpp"

extern char** environ;

namespace {

struct Ran {
  int exit_code = -1;
  std::string out;   // stdout (stderr is left to the test log)
};

// Runs a program to its end with stdout on a pipe.
Ran run(const std::string& program, std::vector<std::string> args) {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  Ran ran;
  char buf[4096];
  for (ssize_t n = 0; rc == 0 && (n = ::read(fds[0], buf, sizeof buf)) > 0;) ran.out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  REQUIRE(rc == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return ran;
}

}  // namespace

TEST_CASE("every executable answers --version with the project version and the revision", "[cli]") {
  const std::vector<std::pair<std::string, std::string>> binaries = {
      {"mixnet-agent", MIXNET_AGENT_BIN}, {"mixnet-coord", MIXNET_COORD_BIN}, {"mixnet-ocs", MIXNET_OCS_BIN},
      {"mixnet-ocs-emu", MIXNET_OCS_EMU_BIN}, {"mixnet-lab", MIXNET_LAB_BIN}};
  CHECK(mixnet::version() == MIXNET_PROJECT_VERSION);
  // The tests are built from a git checkout, so the revision names a commit, "+modified" when
  // tracked files differed (a tarball build's "unknown (not built from a git checkout)" is checked
  // by tests/packaging/). Its form, not this binary's own value: the programs may have been
  // relinked after a commit (the package test builds them alone) while this test binary was not.
  const std::string version_pattern = std::regex_replace(std::string(MIXNET_PROJECT_VERSION), std::regex(R"(\.)"), R"(\.)");
  const std::regex line(R"re((mixnet-[a-z-]+) )re" + version_pattern + R"re( \((git [0-9a-f]{12}(\+modified)?)\)\n)re");
  CHECK(std::regex_match(mixnet::version_line("mixnet-x") + "\n", line));
  std::set<std::string> revisions;
  for (const auto& [name, path] : binaries) {
    INFO(name);
    const auto ran = run(path, {"--version"});
    CHECK(ran.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_match(ran.out, m, line));
    CHECK(m[1] == name);
    revisions.insert(m[2]);
  }
  CHECK(revisions.size() == 1);   // built together, from one tree
}

TEST_CASE("an app's options work after its subcommand too", "[cli]") {
  mixnet::ocs_emu::EmulatorOptions o;
  o.switching = mixnet::ocs_emu::SwitchingTime::fixed_ms(0);
  o.serve_rest = false;
  o.serve_control = false;
  mixnet::ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  REQUIRE(emu.preset({{1, 17, false}}));
  const std::string uri = "polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port());

  // The issue's reproduction: --json (an option of mixnet-ocs itself) after the subcommand.
  const auto cross_connects = [](const std::string& out) {
    const auto j = nlohmann::json::parse(out, nullptr, false);
    return j.is_object() && j.contains("cross_connects") ? j["cross_connects"] : nlohmann::json();
  };
  const nlohmann::json want = nlohmann::json::parse(R"([{"bidirectional":false,"from":"1","to":"17"}])");
  const auto after = run(MIXNET_OCS_BIN, {"--switch", uri, "list", "--json"});
  CHECK(after.exit_code == 0);
  CHECK(cross_connects(after.out) == want);
  // The same with every option before the subcommand, and with every option after it.
  const auto before = run(MIXNET_OCS_BIN, {"--switch", uri, "--json", "list"});
  CHECK(before.exit_code == 0);
  CHECK(cross_connects(before.out) == want);
  const auto all_after = run(MIXNET_OCS_BIN, {"list", "--switch", uri, "--json", "--log-level", "warn"});
  CHECK(all_after.exit_code == 0);
  CHECK(cross_connects(all_after.out) == want);
  // An option nobody knows is still refused.
  CHECK(run(MIXNET_OCS_BIN, {"--switch", uri, "list", "--no-such-option"}).exit_code == 2);
}
