#pragma once
// The step runner: runs a validated playbook against an inventory and its topologies, with
// when / loop / retries / until / delay / timeout / register / ignore_errors / tags / check mode,
// `always:` steps after a failure, and per-host failure isolation. What it sees goes to observers
// (the results store first, then the progress display), in that order, as it happens.
//
// When does a run pass (docs/playbooks.md, "Passing and failing")?
//  * a step FAILS when the module says so (StepResult::ok == false), its arguments or `when`
//    cannot be evaluated, it overruns its timeout, `until` never held, or an item with no host
//    failed. A failed step stops the remaining `steps:` (the `always:` steps still run), unless
//    it has ignore_errors: true (then it is "ignored" and nothing stops);
//  * a failed item (a port, a host, a circuit) fails its hosts only: the step ends "partial" and
//    the run goes on (every later step still runs for every host), unless any_errors_fatal: true;
//  * the run PASSED when no step failed (ignored ones do not count), at most max_fail_hosts
//    (default 0) distinct hosts had a failed item in a non-ignored step, and it was not
//    interrupted. Anything else: FAILED.
#include <atomic>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/engine/module.hpp"
#include "coordinator/playbook/playbook.hpp"

namespace mixnet::coord {

enum class StepStatus { ok, changed, partial, failed, ignored, skipped };
std::string_view to_string(StepStatus status);

struct StepOutcome {
  StepStatus status = StepStatus::ok;
  bool changed = false;
  bool step_failed = false;          // the step itself (not just hosts) failed, before ignore_errors
  std::string message;
  int attempts = 0;                  // of the last loop item
  std::int64_t started_ns = 0;       // CLOCK_REALTIME
  std::int64_t finished_ns = 0;
  std::set<std::string> failed_hosts;
  int items_total = 0;               // of the final attempt of every loop item
  int items_failed = 0;
  // Items the engine still held in memory when the step ended: 0 unless the step reads its result
  // (`register`, `until`); every item went to the observers (the store) as it came and was dropped.
  int items_kept = 0;
  nlohmann::json args;               // the resolved arguments (a list of them for a loop)
  // What `register` binds, less its items lists (registered_items.hpp): those are in the store,
  // and ResultsStore puts them back when it loads the step.
  nlohmann::json registered;
};

struct RunOutcome {
  bool passed = false;
  std::string status;                // "passed" | "failed"
  std::string message;               // why it failed, for people
  std::set<std::string> failed_hosts;
  int steps_run = 0;
  int steps_failed = 0;
  bool interrupted = false;
  std::int64_t finished_ns = 0;
};

struct RunHeader {
  std::string run_id;
  const Playbook* playbook = nullptr;
  std::vector<const Step*> selected;  // the steps that will run (tags applied), in order
  bool check_mode = false;
  std::int64_t started_ns = 0;
};

// Everything the engine reports. The store implements it and commits each call before
// returning; the progress display comes after it in the list.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void run_started(const RunHeader& /*run*/) {}
  virtual void step_started(const Step& /*step*/, std::int64_t /*started_ns*/) {}
  // `iteration`: the loop item's index (0 without a loop); `attempt`: 1 + retries so far.
  virtual void item(const Step& /*step*/, int /*iteration*/, int /*attempt*/, const ItemResult& /*item*/) {}
  // Items a module recorded together (ResultSink::record_all): one by one unless the observer
  // can do better (the results store keeps them in one transaction).
  virtual void items(const Step& step, int iteration, int attempt, std::span<const ItemResult> batch) {
    for (const auto& i : batch) item(step, iteration, attempt, i);
  }
  virtual void note(const Step& /*step*/, std::string_view /*text*/) {}
  virtual void step_finished(const Step& /*step*/, const StepOutcome& /*outcome*/) {}
  virtual void run_finished(const RunOutcome& /*outcome*/) {}
};

struct RunOptions {
  std::string run_id;
  bool check_mode = false;
  std::vector<std::string> tags;
  std::vector<std::string> skip_tags;
  nlohmann::json extra_vars = nlohmann::json::object();   // -e: over the playbook's vars
  const std::atomic<bool>* cancel = nullptr;               // Ctrl-C
  PoolFactories pools;
  std::string holder;                                      // for the OCS lease
  std::string out_dir;                                     // the run folder, for modules' reports (RunState::out_dir)
  std::string db_path;                                     // the results store, for modules that keep history (RunState::db_path)
};

class Engine {
 public:
  Engine(const ModuleRegistry& registry, const Inventory& inventory, const TopologySet& topologies)
      : registry_(registry), inventory_(inventory), topologies_(topologies) {}

  void add_observer(RunObserver* observer) { observers_.push_back(observer); }

  // Runs a playbook that parse_playbook + validate_playbook accepted.
  RunOutcome run(const Playbook& playbook, const RunOptions& options);

 private:
  const ModuleRegistry& registry_;
  const Inventory& inventory_;
  const TopologySet& topologies_;
  std::vector<RunObserver*> observers_;
};

}  // namespace mixnet::coord
