#pragma once
// What the nightly health check tells the scheduler after a run (docs/health/slurm.md):
//  - a host blamed critical is drained with the reason "mixnet: <the blame's one line>";
//  - a host we drained that now passes is resumed, but only when the node's reason now is still
//    exactly the reason we set (so never a node someone else drained, nor one whose reason
//    someone changed since) — compared with what the scheduler shows before touching the node;
//  - a host not judged this run (neither blamed critical nor passed) is left as it is;
//  - each drain, and how it ended, is kept in the results store (store/drain_records.hpp).
// Every decision comes back as a typed action, taken or skipped, with the reason why.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/health/health_types.hpp"
#include "coordinator/model/scheduler_config.hpp"
#include "coordinator/scheduler/scheduler.hpp"
#include "coordinator/store/drain_records.hpp"

namespace mixnet::coord {
struct Inventory;
class ResultsStore;
}  // namespace mixnet::coord

namespace mixnet::coord::scheduler {

enum class Verb { drain, resume, none };
enum class ActionStatus {
  done,      // the scheduler was changed
  printed,   // dry run: the exact command was printed, nothing changed
  listed,    // no scheduler in the inventory: what would be drained
  kept,      // a node we drained stays drained (still failing, or not judged this run)
  skipped,   // left alone on purpose: drained by someone else, reason changed, no node mapped
  failed,    // the scheduler or the store failed; `error` says how
};
[[nodiscard]] const char* to_string(Verb v);
[[nodiscard]] const char* to_string(ActionStatus s);

struct SchedulerAction {
  std::string host;
  std::string node;           // empty when the host has no scheduler node
  Verb verb = Verb::none;     // what the policy wanted for the host
  ActionStatus status = ActionStatus::skipped;
  std::string reason;         // the drain reason set (or that would be set)
  std::string why;            // one line: why this was done or not done
  std::string command;        // the exact scontrol line, for a drain or resume
  std::optional<Error> error;
};

// The drain reason of each host blamed critical: "mixnet: <first blame's reason>", with
// " (+N more)" when several blames take the host out, as one line of at most 240 characters.
[[nodiscard]] std::map<std::string, std::string> drain_reasons(const std::vector<health::Blame>& blames);

// The policy itself, against any Scheduler (the tests' fake, Slurm, a dry run). `passed_hosts`
// are the hosts judged healthy this run. Fails only when the drain records cannot be read or
// written; scheduler errors are per-host actions with status failed.
Result<std::vector<SchedulerAction>> apply_scheduler(const std::vector<health::Blame>& blames,
                                                     const std::set<std::string>& passed_hosts,
                                                     const SchedulerConfig& config, DrainRecords& records,
                                                     Scheduler& scheduler, const std::string& run_id,
                                                     std::int64_t now_ns);

// No scheduler in the inventory: each host blamed critical, listed with the reason it would get.
[[nodiscard]] std::vector<SchedulerAction> list_would_drain(const std::vector<health::Blame>& blames);

// What the nightly run calls at its end: Slurm (or its dry run, whose actions carry the commands
// it would have run) as the inventory's `scheduler:` says, or the list of what would be drained
// when it has none.
Result<std::vector<SchedulerAction>> tell_scheduler(const std::vector<health::Blame>& blames,
                                                    const std::set<std::string>& passed_hosts,
                                                    const Inventory& inventory, ResultsStore& store,
                                                    const std::string& run_id);

// One line per action, for the run's log and the report: "h3 (node-c): drain done: drained by
// root at ... [reason: mixnet: ...]"; a dry run's action is its pasteable command:
// "h3 (node-c): drain printed: dry-run: SLURM_CONF=... scontrol update NodeName=node-c ...".
[[nodiscard]] std::string describe(const SchedulerAction& action);

}  // namespace mixnet::coord::scheduler
