#include "coordinator/modules/health_counters.hpp"

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/health/health_ledger.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/modules/carrier_reads.hpp"
#include "coordinator/modules/counter_records.hpp"
#include "coordinator/store/counter_snapshots.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {

namespace {

constexpr double kHealthCountersDeadlineS = 10.0;
constexpr std::size_t kMaxMarkName = 64;

Result<void> check_mark_name(const std::string& name, const char* field) {
  const bool ok = !name.empty() && name.size() <= kMaxMarkName &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                           c == '_' || c == '.';
                  });
  if (!ok) {
    return fail(Errc::invalid_argument,
                fmt::format("must be a name of 1..{} letters, digits, '-', '_' or '.'", kMaxMarkName), field);
  }
  return {};
}

}  // namespace

Result<void> HealthCountersModule::validate(const nlohmann::json& args, const ValidationContext&) const {
  if (auto ok = module_args::only_keys(args, {"mark", "since", "deadline"}); !ok) return ok;
  if (!args.is_object() || (!args.contains("mark") && !args.contains("since"))) {
    return fail(Errc::invalid_argument, "give `mark: NAME`, `since: NAME` or `since: last-run`", "since");
  }
  for (const char* key : {"mark", "since"}) {
    if (module_args::templated(args, key)) continue;
    auto v = module_args::string_arg(args, key);
    if (!v) return std::unexpected(v.error());
    if (!*v) continue;
    if (auto ok = check_mark_name(**v, key); !ok) return ok;
    if (std::string_view(key) == "mark" && **v == kLastRunMark) {
      return fail(Errc::invalid_argument, "'last-run' is kept for readings saved for the next run; choose another name",
                  "mark");
    }
  }
  if (!module_args::templated(args, "deadline")) {
    if (auto v = module_args::number_arg(args, "deadline", 0.1, 600); !v) return std::unexpected(v.error());
  }
  return {};
}

StepResult HealthCountersModule::run(const nlohmann::json& args, StepContext& ctx) {
  if (auto ok = validate(args, ValidationContext{ctx.inventory, ctx.topologies, ctx.step_name}); !ok) {
    return module_args::step_error(ok.error());
  }
  const auto mark = module_args::string_arg(args, "mark")->value_or("");
  const auto since = module_args::string_arg(args, "since")->value_or("");
  const double deadline_s = module_args::number_arg(args, "deadline", 0.1, 600)->value_or(kHealthCountersDeadlineS);
  const std::int64_t deadline = std::min(monotonic_ns() + static_cast<std::int64_t>(deadline_s * 1e9), ctx.deadline_ns);
  const std::string run_id = ctx.state.run_id;

  // What to diff against, found before anything is read so that a wrong name costs nothing.
  std::optional<health::CounterSnapshot> before;
  std::unique_ptr<ResultsStore> store;
  std::optional<CounterSnapshotStore> snapshots;
  std::string window;
  std::string no_history;
  if (since == kLastRunMark) {
    const std::string& db_path = ctx.state.db_path;
    if (db_path.empty()) return StepResult::failure("since: last-run needs the results store, and this run has none");
    auto opened = ResultsStore::open(db_path);
    if (!opened) return module_args::step_error(opened.error());
    store = std::move(*opened);
    auto attached = CounterSnapshotStore::attach(store->handle());
    if (!attached) return module_args::step_error(attached.error());
    snapshots.emplace(std::move(*attached));
    auto latest = snapshots->latest(kLastRunMark, run_id);
    if (!latest) return module_args::step_error(latest.error());
    if (*latest) {
      before = std::move(**latest);
      window = "run " + before->run_id;
    } else {
      no_history = "no earlier run saved counters: this reading is the baseline for the next run";
    }
  } else if (!since.empty()) {
    std::lock_guard lock(mutex_);
    const health::CounterSnapshot* marked = nullptr;
    if (const auto run = marks_.find(run_id); run != marks_.end()) {
      if (const auto it = run->second.find(since); it != run->second.end()) marked = &it->second;
    }
    if (marked == nullptr) {
      return module_args::step_error(Error{Errc::invalid_argument,
                                           fmt::format("no reading marked '{}' in this run (an earlier step needs mark: {})",
                                                       since, since),
                                           "since"});
    }
    before = *marked;
    window = fmt::format("mark '{}'", since);
  }

  auto pool = ctx.agents();
  if (!pool) return module_args::step_error(pool.error());
  std::vector<std::string> hosts;
  for (const auto& h : ctx.inventory.hosts) hosts.push_back(h.name);
  health::CounterSnapshot now = read_counter_snapshot(**pool, hosts, run_id, deadline);

  health::HealthLedger& ledger = health::ledger_of(ctx.state);
  // The run's own re-patching, for telling flaps from it (health.bandwidth records the windows).
  const auto carrier = ledger.snapshot().carrier_windows;
  CounterRecords records =
      counter_records(ctx.inventory, hosts, before ? &*before : nullptr, now,
                      CounterWindow{.name = before ? window : fmt::format("mark '{}'", mark.empty() ? since : mark),
                                    .after_previous_run = since == kLastRunMark,
                                    .carrier_windows = &carrier});
  for (const auto& o : records.observations) ledger.add(o);
  for (const auto& h : records.unreachable_hosts) ledger.add_unreachable(h);
  const std::int64_t finished = realtime_ns();
  int failed = 0;
  for (ItemResult& item : records.items) {
    item.started_ns = now.taken_ns;
    item.finished_ns = finished;
    if (!item.passed()) ++failed;
  }
  ctx.sink.record_all(records.items);

  StepResult result;
  std::vector<std::string> said;
  if (!mark.empty()) {
    now.mark = mark;
    std::lock_guard lock(mutex_);
    // Only the current run's marks are kept: one coordinator runs one playbook at a time.
    std::erase_if(marks_, [&](const auto& entry) { return entry.first != run_id; });
    marks_[run_id][mark] = now;
    said.push_back(fmt::format("marked '{}'", mark));
  }
  if (since == kLastRunMark && !ctx.check_mode) {
    now.mark = kLastRunMark;
    if (auto ok = snapshots->save(now); !ok) {
      return module_args::step_error(ok.error().context("save the counters for the next run"));
    }
    said.push_back("saved for the next run");
  }
  if (before) said.push_back(fmt::format("{} figure(s) since {}", records.observations.size(), window));
  if (!no_history.empty()) said.push_back(no_history);
  result.message = fmt::format("{} host(s), {} port(s) with a failure{}{}", hosts.size(), failed, said.empty() ? "" : ": ",
                               fmt::format("{}", fmt::join(said, "; ")));
  result.data = {{"hosts", hosts.size()},
                 {"ports_failed", failed},
                 {"observations", records.observations.size()},
                 {"since", before ? nlohmann::json(window) : nlohmann::json()},
                 {"baseline_only", !no_history.empty()}};
  return result;
}

}  // namespace mixnet::coord
