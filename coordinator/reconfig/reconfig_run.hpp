#pragma once
// One measure.reconfig step, phase by phase (measure_reconfig.hpp says what it measures):
//   prepare     the hosts that take part, the ground truth's mark, the clocks, the journals' mark;
//   per repetition (repetition()):
//     begin       the next topology, the ports it changes; events since the last read dropped
//     traffic     timeline streams over the circuits it makes, started before the command
//     apply       every OCS switch driven to it (the driver's command sent / acknowledged)
//     watch       (identity_probe after_all_up) until every changing port is back
//     verify      every link of it, with the identity probe (links.verify's engine)
//     settle      late flaps land in their repetition; honours cancel
//     collect     the streams' timelines, the journals' carrier events, the window's end
//     measure     one row and one item per changing port
//   finish      the clocks again, the ground truth, the document, the reports, the verdict.
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/agents/journal_reader.hpp"
#include "coordinator/engine/interruptible_sleep.hpp"
#include "coordinator/engine/module.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/measure/full_rate.hpp"
#include "coordinator/measure/measurement_doc.hpp"
#include "coordinator/ocs/truth_reader.hpp"
#include "coordinator/reconfig/reconfig_args.hpp"
#include "coordinator/reconfig/reconfig_row.hpp"

namespace mixnet::coord {

class SwitchPool;

// A phase that cannot go on ends the step with this result.
template <class T = void>
using PhaseResult = std::expected<T, StepResult>;

class ReconfigRun {
 public:
  ReconfigRun(const ReconfigArgs& args, StepContext& ctx, AgentPool& agents, SwitchPool& switches);

  PhaseResult<> prepare();
  // Repetition `number` (1-based). False: the measurement stops here (cancelled, out of time, a
  // switch failed); the reason is among the step's problems.
  PhaseResult<bool> repetition(int number);
  StepResult finish();

 private:
  struct Repetition;
  [[nodiscard]] std::int64_t io_deadline() const;
  [[nodiscard]] bool may_start(int number);
  PhaseResult<Repetition> begin(int number);
  void start_traffic(Repetition& rep);
  bool apply(Repetition& rep);
  PhaseResult<> watch(Repetition& rep);
  void verify(Repetition& rep);
  SleepEnd settle(Repetition& rep);
  PhaseResult<> collect(Repetition& rep);
  void measure_ports(const Repetition& rep);
  void arm_carrier_polls(const Repetition& rep);
  nlohmann::json clocks_after();
  PhaseResult<std::optional<measure::GroundTruth>> read_truth();

  const ReconfigArgs& args_;
  StepContext& ctx_;
  AgentPool& agents_;
  SwitchPool& switches_;
  // Without traffic the rule is only recorded (the baseline reference needs no line rate, so the
  // document reads back: measurement_from_json validates the rule).
  measure::FullRateRule rule_;
  std::vector<std::string> hosts_;                         // whose ports take part
  std::vector<TruthReader> truths_;                        // the lab's emulators (one per switch), marked
  std::map<std::string, measure::ClockOffset> offsets_;    // per host, from before the first repetition
  std::vector<measure::ClockOffset> clocks_;               // the same, in host order, for the document
  JournalReader journal_;
  const Topology* current_ = nullptr;                      // in place now (nullptr: unknown)
  std::vector<measure::PortBreakdown> rows_;
  std::vector<std::string> problems_;
  nlohmann::json carrier_poll_ = nlohmann::json::object();   // host -> what its poller said to the last arm
  std::size_t failed_items_ = 0;
  bool switch_failed_ = false;
  // The report's throughput figure: each circuit of the first repetition that had streams.
  std::vector<measure::TimelineExcerpt> excerpts_;
  std::set<std::pair<std::int64_t, std::size_t>> excerpted_;   // a circuit's two ports share a timeline
  int excerpt_rep_ = 0;
};

}  // namespace mixnet::coord
