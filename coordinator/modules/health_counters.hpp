#pragma once
// health.counters: every host's port counters (GET /v1/counters), and how they grew over a
// window (docs/health/counters.md).
//   mark: NAME          read now and keep the reading in this run under NAME
//   since: NAME         read now and record the deltas since the reading marked NAME
//   since: last-run     read now, record the deltas since the newest reading an earlier run saved
//                       (none: said, not a failure), and save this one for the next run
//   deadline: SECONDS   0.1..600 (default 10; never past the step's timeout)
// `mark` and `since` may be given together (diff, then keep this reading as well). Each delta is a
// health::Observation in the run's ledger (figure: the counter's name, part "h1:ocs0"); flaps are
// the carrier changes the run's own re-patching does not explain (carrier_changes_unexplained: the
// carrier windows health.bandwidth recorded are taken out). The module judges nothing: thresholds
// are the rules'.
// Items: one per inventory port: ok, failed (its counters could not be read, or a counter lost its
// value), or unreachable (the agent did not answer). Reads only; check mode reads too but saves
// nothing in the store.
#include <map>
#include <mutex>
#include <string>

#include "coordinator/engine/module.hpp"
#include "coordinator/health/counter_snapshot.hpp"

namespace mixnet::coord {

inline constexpr const char* kLastRunMark = "last-run";

class HealthCountersModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "health.counters"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;

 private:
  // Readings marked within a run, by run id then mark name: the module outlives its runs' steps.
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, health::CounterSnapshot>> marks_;
};

}  // namespace mixnet::coord
