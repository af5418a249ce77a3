// `mixnet-coord health` without hardware: the shipped playbook validates, how it is found, the
// flags it turns into playbook vars, and its monitoring-plugin exit codes (health_command.hpp).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "coordinator/cli/commands.hpp"
#include "coordinator/cli/health_command.hpp"

using namespace mixnet::coord;
namespace fs = std::filesystem;

namespace {

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("mixnet-health-cli-" + std::to_string(getpid()));
  Scratch() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

int cli(std::vector<std::string> args) {
  args.insert(args.begin(), "mixnet-coord");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return run_cli(static_cast<int>(argv.size()), argv.data());
}

const std::string kPlaybook = std::string(MIXNET_SOURCE_DIR) + "/playbooks/nightly-health.yaml";

}  // namespace

TEST_CASE("nightly-health.yaml validates against the example inventory", "[health][cli]") {
  CHECK(cli({"check", kPlaybook, "-i", std::string(MIXNET_SOURCE_DIR) + "/playbooks/examples/inventory.yaml"}) == kExitPassed);
}

TEST_CASE("health verdict line: a run line that said FAILED above an OK verdict is explained", "[health][cli]") {
  Scratch s;
  s.write("health.json", R"({"overall": "ok", "exit_code": 0})");
  const auto printed = [&](int run_code) {
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    const int code = health_exit_code(s.dir.string(), run_code, f);
    std::rewind(f);
    std::string text;
    for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) text += static_cast<char>(c);
    std::fclose(f);
    CHECK(code == 0);
    return text;
  };
  const std::string passed = printed(kExitPassed);
  CHECK_THAT(passed, Catch::StartsWith("health: ok (exit 0), "));
  CHECK_THAT(passed, !Catch::Contains("run line above"));
  // First-pass tests that failed and were cleared by their retest fail the playbook's run line.
  CHECK_THAT(printed(kExitFailed), Catch::Contains("first-pass tests that their retest cleared"));
}

TEST_CASE("health exit codes: health.json's exit_code, 3 when there is no verdict or the store failed", "[health][cli]") {
  Scratch s;
  CHECK(health_exit_code(s.dir.string(), kExitFailed) == 3);   // no health.json
  s.write("health.json", R"({"overall": "warning", "exit_code": 1})");
  CHECK(health_exit_code(s.dir.string(), kExitFailed) == 1);
  CHECK(health_exit_code(s.dir.string(), kExitStore) == 3);
  CHECK(health_exit_code(s.dir.string(), kExitBadInput) == 3);
  s.write("health.json", R"({"overall": "critical", "exit_code": 2})");
  CHECK(health_exit_code(s.dir.string(), kExitFailed) == 2);
  s.write("health.json", R"({"overall": "ok", "exit_code": 0})");
  CHECK(health_exit_code(s.dir.string(), kExitPassed) == 0);
  s.write("health.json", R"({"overall": "ok"})");
  CHECK(health_exit_code(s.dir.string(), kExitPassed) == 3);
  s.write("health.json", "not json");
  CHECK(health_exit_code(s.dir.string(), kExitPassed) == 3);
  s.write("health.json", R"({"exit_code": 7})");
  CHECK(health_exit_code(s.dir.string(), kExitPassed) == 3);
}

TEST_CASE("health: a bad inventory or playbook is UNKNOWN (3), not run's bad-input 2", "[health][cli]") {
  Scratch s;
  s.write("bad.yaml", "version: 1\nhosts: 7\n");
  CHECK(cli({"health", "-i", s.path("bad.yaml"), "--playbook", kPlaybook, "--db", s.path("r.db"), "--out", s.path("out")}) == 3);
  CHECK(cli({"health", "-i", s.path("bad.yaml"), "--playbook", s.path("missing.yaml"), "--db", s.path("r.db")}) == 3);
}

TEST_CASE("health flags become playbook vars, files made absolute", "[health][cli]") {
  HealthRunFlags flags;
  CHECK(health_extra_vars(flags) == nlohmann::json::object());
  flags.rules_file = "rules.yaml";
  flags.dry_run = true;
  flags.test_seconds = 2.5;
  const auto vars = health_extra_vars(flags);
  CHECK(vars.at("rules_file") == (fs::current_path() / "rules.yaml").string());
  CHECK(vars.at("dry_run") == true);
  CHECK(vars.at("test_seconds") == 2.5);
  CHECK_FALSE(vars.contains("baseline_file"));
}

TEST_CASE("the shipped playbook is found through MIXNET_PLAYBOOKS, and a miss names where it looked", "[health][cli]") {
  Scratch s;
  s.write("nightly-health.yaml", "name: x\nsteps: []\n");
  ::setenv("MIXNET_PLAYBOOKS", s.dir.string().c_str(), 1);
  const auto found = find_shipped_playbook("nightly-health.yaml");
  ::unsetenv("MIXNET_PLAYBOOKS");
  REQUIRE(found.has_value());
  CHECK(*found == s.path("nightly-health.yaml"));
  const auto missing = find_shipped_playbook("no-such-playbook.yaml");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().field == "playbook");
  CHECK(missing.error().message.find("no-such-playbook.yaml") != std::string::npos);
}
