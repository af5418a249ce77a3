#pragma once
// mixnet-coord's health subcommands (docs/health/rules.md): `baseline generate` and
// `health trend`, plus the `health` subcommand itself, to which the nightly run adds its bare form
// (`mixnet-coord health -i INV ...`) through health_command() and on_bare_health().
//
// Exit codes. `health ...` exits as monitoring plugins do: 0 OK, 1 WARNING (e.g. a slow decline
// flagged), 2 CRITICAL, 3 UNKNOWN (bad input, store error, nothing recorded for the part).
// `baseline generate` keeps mixnet-coord's codes: 0 written, 1 the file could not be written,
// 2 bad input (too few passing runs, an unknown run), 3 the results store failed.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mixnet::coord {

class HealthCommands {
 public:
  // Adds `baseline` (child `generate`) and `health` (child `trend`) to the app.
  explicit HealthCommands(CLI::App& app);
  HealthCommands(const HealthCommands&) = delete;              // CLI11 holds references into it
  HealthCommands& operator=(const HealthCommands&) = delete;

  // The `health` subcommand: the nightly run adds its options here.
  [[nodiscard]] CLI::App& health_command() { return *health_; }
  // What `mixnet-coord health` with no child does; it returns the exit code (0..3).
  void on_bare_health(std::function<int()> run) { bare_health_ = std::move(run); }

  // The exit code for a command line that did not parse: 3 (UNKNOWN) under `health`, whose
  // callers are monitoring systems, else `otherwise`.
  [[nodiscard]] int parse_error_code(int otherwise) const { return health_->parsed() ? 3 : otherwise; }

  // After parsing: the exit code of the command chosen, or nullopt when none of these was.
  [[nodiscard]] std::optional<int> run_selected();

 private:
  int baseline_generate();
  int health_trend();

  CLI::App* baseline_ = nullptr;
  CLI::App* baseline_generate_ = nullptr;
  CLI::App* health_ = nullptr;
  CLI::App* health_trend_ = nullptr;
  std::function<int()> bare_health_;

  std::string db_flag_;
  // baseline generate
  int runs_ = 0;
  std::vector<std::string> run_ids_;
  std::string out_file_;
  // health trend
  std::string port_, host_, part_, figure_;
  int nights_ = 7;
  double decline_percent_ = 3.0;
  bool as_json_ = false;
};

}  // namespace mixnet::coord
