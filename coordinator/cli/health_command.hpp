#pragma once
// `mixnet-coord health -i INVENTORY [--rules F] [--baseline F] [--dry-run] [--test-seconds S]`:
// the nightly health check as one command (docs/health/nightly.md). It runs the shipped
// playbooks/nightly-health.yaml like `mixnet-coord run` would and exits as monitoring plugins do,
// from the run's health.json:
//   0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad input, store error, no verdict written).
// `mixnet-coord run` keeps its own codes.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace mixnet::coord {

inline constexpr const char* kNightlyPlaybookName = "nightly-health.yaml";

struct HealthRunFlags {
  std::string rules_file;
  std::string baseline_file;
  bool dry_run = false;
  double test_seconds = 0;   // 0: the playbook's
  std::string playbook;   // default: the shipped nightly-health.yaml
  std::vector<std::string> extra_vars;   // -e KEY=VALUE, over the playbook's vars and the flags above
};

// The bare `health` run's options, on the `health` subcommand.
void add_health_run_options(CLI::App& health, HealthRunFlags& flags);

// The shipped playbook: $MIXNET_PLAYBOOKS/NAME, else beside the program (PREFIX/bin ->
// PREFIX/share/mixnet/playbooks, or a build tree's BUILD/bin -> SOURCE/playbooks), else
// ./playbooks/NAME. Errors name every place looked at.
Result<std::string> find_shipped_playbook(const std::string& name);

// The playbook vars the flags set (over the playbook's own), rules and baseline made absolute.
nlohmann::json health_extra_vars(const HealthRunFlags& flags);

// The exit code: the run folder's health.json "exit_code" (0..3); 3 when the run could not be
// judged (`run_code` says the store failed, or health.json is missing or unreadable). Prints the
// verdict line to `out`, and after it a line when the run failed but the verdict is OK.
int health_exit_code(const std::string& out_dir, int run_code, std::FILE* out = stdout);

}  // namespace mixnet::coord
