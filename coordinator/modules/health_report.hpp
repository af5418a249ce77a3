#pragma once
// health.report: the nightly run's final step (docs/health/nightly.md). Reads everything the
// checks put in the run's ledger, evaluates the rules (against a baseline when one is given),
// blames, builds the HealthReport, and writes it out: one item per blamed part in the results
// store (results.json and JUnit as for every run), health.json in the run folder (read by
// `mixnet-coord health` for its exit code), the Prometheus textfile and HTML report, the
// observations into the store, then the scheduler's drains and resumes (a dry-run list when no
// scheduler is configured).
//   rules: FILE        default: the shipped rules
//   baseline: FILE     default: none (rules fall back to line rate and the run's peers)
//   dry_run: BOOL      tell the scheduler nothing, list what would be done (default false)
// The step fails only when it cannot judge (a bad rules or baseline file): health.json then says
// "unknown". Blames are items, not a failure of the step.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class HealthReportModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "health.report"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

// The file health.report writes into the run folder.
inline constexpr const char* kHealthJsonName = "health.json";

}  // namespace mixnet::coord
