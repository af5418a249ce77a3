#include "coordinator/scheduler/drain_policy.hpp"

#include <map>

#include <fmt/format.h>

#include "common/clock.hpp"

#include "coordinator/model/inventory.hpp"
#include "coordinator/scheduler/slurm_scheduler.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord::scheduler {

namespace {

// How a record's drain ended (DrainRecord::closed_how).
constexpr const char* kResumed = "resumed";
constexpr const char* kReasonChanged = "reason_changed";
constexpr const char* kResumedByOther = "resumed_by_other";

std::string who_and_when(const NodeState& st) {
  if (st.reason_user.empty()) return "";
  return fmt::format(" by {} at {}", st.reason_user, st.reason_time);
}

// One run of the policy: the inputs, the open records, and the actions made so far.
class PolicyRun {
 public:
  PolicyRun(const SchedulerConfig& config, DrainRecords& records, Scheduler& scheduler, std::string run_id,
            std::int64_t now_ns)
      : config_(config), records_(records), scheduler_(scheduler), run_id_(std::move(run_id)), now_ns_(now_ns),
        commands_(SlurmOptions{.scontrol = config.scontrol, .slurm_conf = config.slurm_conf,
                               .timeout = std::chrono::seconds(config.timeout_s)}) {}

  Result<std::vector<SchedulerAction>> run(const std::map<std::string, std::string>& reasons,
                                           const std::set<std::string>& passed_hosts) {
    auto open = records_.open_drains(std::string(scheduler_.kind()));
    if (!open) return std::unexpected(open.error());
    for (const auto& [host, reason] : reasons) {
      if (auto ok = drain_host(host, reason, *open); !ok) return std::unexpected(ok.error());
    }
    for (const auto& record : *open) {
      if (reasons.contains(record.host)) {
        // Still failing: drain_host saw the node unless the host now maps to another node.
        const auto* node = config_.node_of(record.host);
        if (node == nullptr || *node != record.node)
          add(record.host, record.node, Verb::none, ActionStatus::kept, record.reason, "still failing; stays drained");
        continue;
      }
      if (!passed_hosts.contains(record.host)) {
        add(record.host, record.node, Verb::none, ActionStatus::kept, record.reason,
            fmt::format("not judged this run; stays drained (drained by run {})", record.drained_run));
        continue;
      }
      if (auto ok = resume_host(record); !ok) return std::unexpected(ok.error());
    }
    return std::move(actions_);
  }

 private:
  SchedulerAction& add(const std::string& host, const std::string& node, Verb verb, ActionStatus status,
                       const std::string& reason, std::string why) {
    SchedulerAction a;
    a.host = host;
    a.node = node;
    a.verb = verb;
    a.status = status;
    a.reason = reason;
    a.why = std::move(why);
    if (!node.empty() && verb == Verb::drain) a.command = commands_.command_line(commands_.drain_argv(node, reason));
    if (!node.empty() && verb == Verb::resume) a.command = commands_.command_line(commands_.resume_argv(node));
    actions_.push_back(std::move(a));
    return actions_.back();
  }

  void add_failure(const std::string& host, const std::string& node, Verb verb, const std::string& reason, const Error& e) {
    auto& a = add(host, node, verb, ActionStatus::failed, reason, e.describe());
    a.error = e;
  }

  static const DrainRecord* find(const std::vector<DrainRecord>& open, const std::string& node) {
    for (const auto& r : open) {
      if (r.node == node) return &r;
    }
    return nullptr;
  }

  Result<void> close(const DrainRecord& record, const char* how) {
    return records_.close(record.scheduler, record.node, how, run_id_, now_ns_);
  }

  // A host blamed critical.
  Result<void> drain_host(const std::string& host, const std::string& reason, const std::vector<DrainRecord>& open) {
    const auto* node = config_.node_of(host);
    if (node == nullptr) {
      add(host, "", Verb::drain, ActionStatus::skipped, reason, "no scheduler node mapped for this host (inventory scheduler.nodes)");
      return {};
    }
    auto st = scheduler_.show(*node);
    if (!st) {
      add_failure(host, *node, Verb::drain, reason, st.error());
      return {};
    }
    const DrainRecord* ours = find(open, *node);
    if (st->drained()) {
      if (ours != nullptr && st->reason == ours->reason) {
        add(host, *node, Verb::none, ActionStatus::kept, ours->reason,
            fmt::format("still failing; drained by us since run {}", ours->drained_run));
        return {};
      }
      if (ours != nullptr && !scheduler_.dry_run()) {
        if (auto ok = close(*ours, kReasonChanged); !ok) return ok;
      }
      add(host, *node, Verb::drain, ActionStatus::skipped, reason,
          fmt::format("already drained{}: '{}'; left alone", who_and_when(*st), st->reason));
      return {};
    }
    // In service. A record of ours means someone resumed it by hand since: that drain is over.
    if (ours != nullptr && !scheduler_.dry_run()) {
      if (auto ok = close(*ours, kResumedByOther); !ok) return ok;
    }
    if (auto ok = scheduler_.drain(*node, reason); !ok) {
      add_failure(host, *node, Verb::drain, reason, ok.error());
      return {};
    }
    if (scheduler_.dry_run()) {
      add(host, *node, Verb::drain, ActionStatus::printed, reason, "dry run: command printed, nothing changed");
      return {};
    }
    // Keep the reason as the scheduler now shows it: that is what a later run compares with.
    DrainRecord record;
    record.scheduler = std::string(scheduler_.kind());
    record.node = *node;
    record.host = host;
    record.reason = reason;
    record.drained_run = run_id_;
    record.drained_ns = now_ns_;
    std::string why = "drained";
    if (auto after = scheduler_.show(*node); after && after->drained()) {
      record.reason = after->reason;
      record.set_by = after->reason_user;
      record.set_at = after->reason_time;
      why += who_and_when(*after);
    } else {
      why += after ? " (but the scheduler does not show it drained yet)" : " (could not read it back: " + after.error().describe() + ")";
    }
    auto added = records_.add(record);
    if (!added) return std::unexpected(added.error());
    add(host, *node, Verb::drain, ActionStatus::done, record.reason, why);
    return {};
  }

  // A host we drained that passed this run.
  Result<void> resume_host(const DrainRecord& record) {
    auto st = scheduler_.show(record.node);
    if (!st) {
      add_failure(record.host, record.node, Verb::resume, record.reason, st.error());
      return {};
    }
    if (!st->drained()) {
      if (!scheduler_.dry_run()) {
        if (auto ok = close(record, kResumedByOther); !ok) return ok;
      }
      add(record.host, record.node, Verb::resume, ActionStatus::skipped, record.reason,
          fmt::format("already in service ({}): resumed by someone else", st->state));
      return {};
    }
    if (st->reason != record.reason) {
      // Someone changed the reason: the drain is theirs now; never resume it, now or later.
      if (!scheduler_.dry_run()) {
        if (auto ok = close(record, kReasonChanged); !ok) return ok;
      }
      add(record.host, record.node, Verb::resume, ActionStatus::skipped, record.reason,
          fmt::format("reason changed since we set it (now '{}'{}); left drained", st->reason, who_and_when(*st)));
      return {};
    }
    if (auto ok = scheduler_.resume(record.node); !ok) {
      add_failure(record.host, record.node, Verb::resume, record.reason, ok.error());
      return {};
    }
    if (scheduler_.dry_run()) {
      add(record.host, record.node, Verb::resume, ActionStatus::printed, record.reason, "dry run: command printed, nothing changed");
      return {};
    }
    if (auto ok = close(record, kResumed); !ok) return ok;
    add(record.host, record.node, Verb::resume, ActionStatus::done, record.reason,
        fmt::format("passed this run; resumed (drained by run {})", record.drained_run));
    return {};
  }

  const SchedulerConfig& config_;
  DrainRecords& records_;
  Scheduler& scheduler_;
  std::string run_id_;
  std::int64_t now_ns_;
  SlurmScheduler commands_;   // only to spell the commands each action names
  std::vector<SchedulerAction> actions_;
};

}  // namespace

const char* to_string(Verb v) {
  switch (v) {
    case Verb::drain: return "drain";
    case Verb::resume: return "resume";
    case Verb::none: return "none";
  }
  return "?";
}

const char* to_string(ActionStatus s) {
  switch (s) {
    case ActionStatus::done: return "done";
    case ActionStatus::printed: return "printed";
    case ActionStatus::listed: return "listed";
    case ActionStatus::kept: return "kept";
    case ActionStatus::skipped: return "skipped";
    case ActionStatus::failed: return "failed";
  }
  return "?";
}

std::map<std::string, std::string> drain_reasons(const std::vector<health::Blame>& blames) {
  std::map<std::string, std::string> first;
  std::map<std::string, int> more;
  for (const auto& blame : blames) {
    if (blame.severity != health::Severity::critical) continue;
    for (const auto& host : blame.hosts) {
      if (first.try_emplace(host, blame.reason.empty() ? blame.part : blame.reason).second) continue;
      ++more[host];
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& [host, reason] : first) {
    std::string text = "mixnet: " + reason;
    if (const auto it = more.find(host); it != more.end()) {
      // The count goes first so that cutting a long reason never loses it.
      text = fmt::format("mixnet: (+{} more) {}", it->second, reason);
    }
    out[host] = one_line_reason(text);
  }
  return out;
}

Result<std::vector<SchedulerAction>> apply_scheduler(const std::vector<health::Blame>& blames,
                                                     const std::set<std::string>& passed_hosts,
                                                     const SchedulerConfig& config, DrainRecords& records,
                                                     Scheduler& scheduler, const std::string& run_id,
                                                     std::int64_t now_ns) {
  PolicyRun run(config, records, scheduler, run_id, now_ns);
  return run.run(drain_reasons(blames), passed_hosts);
}

std::vector<SchedulerAction> list_would_drain(const std::vector<health::Blame>& blames) {
  std::vector<SchedulerAction> out;
  for (const auto& [host, reason] : drain_reasons(blames)) {
    SchedulerAction a;
    a.host = host;
    a.verb = Verb::drain;
    a.status = ActionStatus::listed;
    a.reason = reason;
    a.why = "no scheduler in the inventory: would be drained";
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<SchedulerAction>> tell_scheduler(const std::vector<health::Blame>& blames,
                                                    const std::set<std::string>& passed_hosts,
                                                    const Inventory& inventory, ResultsStore& store,
                                                    const std::string& run_id) {
  if (!inventory.scheduler) return list_would_drain(blames);
  const auto& config = *inventory.scheduler;
  auto records = DrainRecords::open(store.handle());
  if (!records) return std::unexpected(records.error());
  SlurmScheduler slurm(SlurmOptions{.scontrol = config.scontrol, .slurm_conf = config.slurm_conf,
                                    .timeout = std::chrono::seconds(config.timeout_s)});
  const auto now_ns = realtime_ns();
  if (config.dry_run) {
    DryRunScheduler dry(slurm);
    return apply_scheduler(blames, passed_hosts, config, *records, dry, run_id, now_ns);
  }
  return apply_scheduler(blames, passed_hosts, config, *records, slurm, run_id, now_ns);
}

std::string describe(const SchedulerAction& a) {
  const std::string who = a.node.empty() ? a.host : fmt::format("{} ({})", a.host, a.node);
  // A dry run's line is the command itself: the run's log and the health.report step's outputs
  // are where `mixnet-coord health --dry-run` shows what it would do, so it must be pasteable.
  if (a.status == ActionStatus::printed && !a.command.empty())
    return fmt::format("{}: {} printed: dry-run: {}", who, to_string(a.verb), a.command);
  std::string line = fmt::format("{}: {} {}: {}", who, to_string(a.verb), to_string(a.status), a.why);
  if (!a.reason.empty() && a.verb == Verb::drain) line += fmt::format(" [reason: {}]", a.reason);
  return line;
}

}  // namespace mixnet::coord::scheduler
