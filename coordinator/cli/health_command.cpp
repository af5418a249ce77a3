#include "coordinator/cli/health_command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "coordinator/cli/commands.hpp"
#include "coordinator/health/health_types.hpp"
#include "coordinator/modules/health_report.hpp"

namespace mixnet::coord {

namespace {

constexpr int kExitUnknown = health::exit_code(health::Severity::unknown);

std::string absolute(const std::string& path) {
  return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

std::filesystem::path program_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

void add_health_run_options(CLI::App& health, HealthRunFlags& flags) {
  health.add_option("--rules", flags.rules_file, "the rules file (default: the shipped rules)");
  health.add_option("--baseline", flags.baseline_file, "the baseline file (default: none; line rate and the run's peers)");
  health.add_flag("--dry-run", flags.dry_run, "tell the scheduler nothing: list the drains and resumes it would make");
  health.add_option("--test-seconds", flags.test_seconds, "seconds of traffic per bandwidth test (default: the playbook's, 1)")
      ->check(CLI::Range(0.1, 600.0));
  health.add_option("--playbook", flags.playbook, fmt::format("the playbook (default: the shipped {})", kNightlyPlaybookName));
  health.add_option("-e,--extra-var", flags.extra_vars,
                    "KEY=VALUE over the playbook's vars (repeatable), e.g. parallel=32 or eps_pattern=k-batch on a large "
                    "testbed (docs/health/nightly.md)");
}

Result<std::string> find_shipped_playbook(const std::string& name) {
  std::vector<std::filesystem::path> places;
  if (const char* env = std::getenv("MIXNET_PLAYBOOKS"); env != nullptr && *env != '\0') places.emplace_back(env);
  if (const auto dir = program_dir(); !dir.empty()) {
    places.push_back(dir.parent_path() / "share" / "mixnet" / "playbooks");
    places.push_back(dir.parent_path().parent_path() / "playbooks");   // build tree: SOURCE/build/bin
  }
  places.emplace_back("playbooks");
  std::vector<std::string> looked;
  for (const auto& p : places) {
    const auto file = p / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(file, ec)) return absolute(file.string());
    looked.push_back(file.string());
  }
  return fail(Errc::not_found, fmt::format("no {} in {} (set MIXNET_PLAYBOOKS or give --playbook)", name, fmt::join(looked, ", ")),
              "playbook");
}

nlohmann::json health_extra_vars(const HealthRunFlags& flags) {
  nlohmann::json vars = nlohmann::json::object();
  if (!flags.rules_file.empty()) vars["rules_file"] = absolute(flags.rules_file);
  if (!flags.baseline_file.empty()) vars["baseline_file"] = absolute(flags.baseline_file);
  if (flags.dry_run) vars["dry_run"] = true;
  if (flags.test_seconds > 0) vars["test_seconds"] = flags.test_seconds;
  return vars;
}

int health_exit_code(const std::string& out_dir, int run_code, std::FILE* out) {
  if (run_code == kExitStore || run_code == kExitBadInput) return kExitUnknown;
  const auto file = std::filesystem::path(out_dir) / kHealthJsonName;
  std::ifstream in(file);
  if (!in) {
    fmt::print(stderr, "mixnet-coord: health: no verdict: {} was not written\n", file.string());
    return kExitUnknown;
  }
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("exit_code") || !doc["exit_code"].is_number_integer()) {
    fmt::print(stderr, "mixnet-coord: health: {} holds no exit_code\n", file.string());
    return kExitUnknown;
  }
  const int code = doc["exit_code"].get<int>();
  if (code < 0 || code > kExitUnknown) return kExitUnknown;
  fmt::print(out, "health: {} (exit {}), {}\n", doc.value("overall", std::string("unknown")), code, file.string());
  // The playbook's run line counts every failed item, first-pass tests that a retest then cleared
  // included: on a healthy night it can say FAILED above an OK verdict. Say which one counts.
  if (run_code != 0 && code == 0) {
    fmt::print(out, "health: the run line above counts every failed item, first-pass tests that their retest cleared included; "
               "this verdict weighs every test and is the one that counts\n");
  }
  return code;
}

}  // namespace mixnet::coord
