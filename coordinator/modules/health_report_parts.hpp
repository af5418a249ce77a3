#pragma once
// health.report's calls into the other parts of the nightly check, in one file so that wiring
// them is one place: the rules (and baseline), blame, persisting the night's observations, the
// Prometheus textfile and HTML report, and the scheduler. Each returns typed results; a part that
// this build does not have yet says so in its note instead of pretending to have run.
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/health/health_ledger.hpp"
#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {

struct Inventory;

namespace health_parts {

// The rules' findings (ok ones included) on the observations: the rules file (empty: the shipped
// defaults), judged against the baseline file when one is given, else against the inventory's
// line rates and the run's peers. Errors name the bad file.
Result<std::vector<health::Finding>> evaluate_rules(const std::string& rules_file, const std::string& baseline_file,
                                                    const std::vector<health::Observation>& observations, const Inventory& inventory);

// Blame over every test and non-ok finding of the run.
std::vector<health::Blame> blame_parts(const health::HealthLedger::Snapshot& ledger, const std::vector<health::Finding>& findings,
                                       const Inventory& inventory);

// What an output step did: the file it wrote (empty: none) or why it did not.
struct OutputNote {
  std::string what;        // "prometheus", "html", "observations", "scheduler"
  std::string path;        // the file written, when one was
  std::string note;        // for people
  bool failed = false;
};

// Keeps the night's observations in the results store (baselines and trends read them), writes
// health.prom (Prometheus textfile) and health.html (with the trends of the last nights) into the
// run folder, and tells the scheduler what the inventory's `scheduler:` says (Slurm, or its dry
// run; without one, the list of what would be drained). `db_path` is the run's results store
// (RunState::db_path; empty: none, and nothing is kept). `dry_run` forces the scheduler's dry
// run. Each output says what it did; one that failed does not stop the others.
std::vector<OutputNote> write_outputs(const health::HealthReport& report, const std::set<std::string>& unreachable_hosts,
                                      const Inventory& inventory, const std::string& out_dir, const std::string& db_path,
                                      bool dry_run);

}  // namespace health_parts
}  // namespace mixnet::coord
