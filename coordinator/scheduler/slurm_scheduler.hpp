#pragma once
// Slurm through `scontrol` (docs/health/slurm.md): `scontrol show node -o NAME` to read a node,
// `scontrol update NodeName=NAME State=DRAIN Reason=...` and `State=RESUME` to change it. Each
// call is one process run without a shell, under a deadline; errors name the node and the command.
// DryRunScheduler reads the same way but prints the exact update commands instead of running them.
#include <chrono>
#include <string>
#include <vector>

#include "coordinator/scheduler/scheduler.hpp"

namespace mixnet::coord::scheduler {

struct SlurmOptions {
  std::string scontrol = "scontrol";               // the program; searched in PATH
  std::string slurm_conf;                          // SLURM_CONF for scontrol; empty: Slurm's default
  std::chrono::milliseconds timeout{20'000};       // per call; scontrol's own MessageTimeout is 10 s
};

class SlurmScheduler final : public Scheduler {
 public:
  explicit SlurmScheduler(SlurmOptions options) : options_(std::move(options)) {}
  [[nodiscard]] std::string_view kind() const override { return "slurm"; }
  [[nodiscard]] bool dry_run() const override { return false; }
  Result<NodeState> show(const std::string& node) override;
  Result<void> drain(const std::string& node, const std::string& reason) override;
  Result<void> resume(const std::string& node) override;

  // The argv of each call, as run (and as a dry run prints them).
  [[nodiscard]] std::vector<std::string> show_argv(const std::string& node) const;
  [[nodiscard]] std::vector<std::string> drain_argv(const std::string& node, const std::string& reason) const;
  [[nodiscard]] std::vector<std::string> resume_argv(const std::string& node) const;
  // One shell line for an argv: "SLURM_CONF=/etc/x.conf scontrol update NodeName=n1 ..." with
  // the reason quoted, so a person can paste it.
  [[nodiscard]] std::string command_line(const std::vector<std::string>& argv) const;

 private:
  Result<std::string> run(const std::string& node, const std::vector<std::string>& argv);
  SlurmOptions options_;
};

// Reads through `reader`; drain() and resume() write "scontrol update ..." lines to `out` (and
// keep them in printed()) and change nothing.
class DryRunScheduler final : public Scheduler {
 public:
  explicit DryRunScheduler(SlurmScheduler& reader) : reader_(reader) {}
  [[nodiscard]] std::string_view kind() const override { return reader_.kind(); }
  [[nodiscard]] bool dry_run() const override { return true; }
  Result<NodeState> show(const std::string& node) override { return reader_.show(node); }
  Result<void> drain(const std::string& node, const std::string& reason) override;
  Result<void> resume(const std::string& node) override;
  // The commands it would have run, in order (each action's `command` says its own).
  [[nodiscard]] const std::vector<std::string>& printed() const { return printed_; }

 private:
  void print(const std::vector<std::string>& argv);
  SlurmScheduler& reader_;
  std::vector<std::string> printed_;
};

// A drain reason Slurm keeps as one line: control characters become spaces, and the text is cut
// at `max_chars` (with "...") so a long list of evidence does not flood `sinfo -R`.
[[nodiscard]] std::string one_line_reason(std::string_view text, std::size_t max_chars = 240);

}  // namespace mixnet::coord::scheduler
