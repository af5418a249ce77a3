#include "coordinator/engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "coordinator/engine/interruptible_sleep.hpp"
#include "coordinator/engine/pool_holder.hpp"
#include "coordinator/engine/registered_items.hpp"
#include "coordinator/engine/registry.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/playbook/template.hpp"

namespace mixnet::coord {
namespace {

std::int64_t seconds_to_ns(double s) { return static_cast<std::int64_t>(s * 1e9); }

std::vector<std::string> hosts_of(const ItemResult& item) {
  if (!item.hosts.empty()) return item.hosts;
  if (item.kind == "host") return {item.id};
  if (item.kind == "port") {
    const auto colon = item.id.find(':');
    if (colon != std::string::npos && colon > 0) return {item.id.substr(0, colon)};
  }
  return {};
}

// What the engine keeps of one attempt's items once the observers (the results store first) have
// them: counts and the hosts that failed, and the items' entries only for a step that reads them
// (`register`, `until`; registered_items.hpp). A run's memory does not grow with its items.
struct AttemptTally {
  int total = 0;
  int failed = 0;
  std::set<std::string> failed_hosts;
  std::string hostless_failure;                       // the first failed item with no host: "circuit x: failed"
  nlohmann::json kept = nlohmann::json::array();      // registered_item entries, when kept
};

// Passes one attempt's items on to the observers as they arrive, and tallies them.
class AttemptSink final : public ResultSink {
 public:
  AttemptSink(const Step& step, int iteration, int attempt, const std::vector<RunObserver*>& observers, bool keep_items)
      : step_(step), iteration_(iteration), attempt_(attempt), observers_(observers), keep_items_(keep_items) {}

  void record(const ItemResult& item) override {
    std::lock_guard lock(mutex_);
    const auto stamped = completed(item);
    for (auto* o : observers_) o->item(step_, iteration_, attempt_, stamped);
    tally(stamped);
  }
  void record_all(const std::vector<ItemResult>& items) override {
    std::lock_guard lock(mutex_);
    std::vector<ItemResult> batch;
    batch.reserve(items.size());
    for (const auto& item : items) batch.push_back(completed(item));
    for (auto* o : observers_) o->items(step_, iteration_, attempt_, batch);
    for (const auto& item : batch) tally(item);
  }
  void note(std::string_view text) override {
    std::lock_guard lock(mutex_);
    for (auto* o : observers_) o->note(step_, text);
  }
  AttemptTally take() {
    std::lock_guard lock(mutex_);
    return std::move(tally_);
  }

 private:
  // The item as recorded: its times and hosts filled in where the module left them out.
  static ItemResult completed(const ItemResult& item) {
    ItemResult out = item;
    if (out.started_ns == 0) out.started_ns = realtime_ns();
    if (out.finished_ns == 0) out.finished_ns = realtime_ns();
    if (out.hosts.empty()) out.hosts = hosts_of(out);
    return out;
  }
  void tally(const ItemResult& item) {
    ++tally_.total;
    if (keep_items_) tally_.kept.push_back(registered_item(item));
    if (item.passed()) return;
    ++tally_.failed;
    if (item.hosts.empty() && tally_.hostless_failure.empty()) tally_.hostless_failure = fmt::format("{} {}: {}", item.kind, item.id, item.status);
    tally_.failed_hosts.insert(item.hosts.begin(), item.hosts.end());
  }

  const Step& step_;
  int iteration_;
  int attempt_;
  const std::vector<RunObserver*>& observers_;
  bool keep_items_;
  std::mutex mutex_;
  AttemptTally tally_;
};

// One loop item (or the only one) of a step, after its retries.
struct Iteration {
  bool skipped = false;
  bool step_failed = false;
  bool changed = false;
  std::string message;
  int attempts = 0;
  int items_total = 0;             // of the final attempt
  int items_failed = 0;
  nlohmann::json kept_items = nlohmann::json::array();   // of the final attempt, when the step reads them
  std::set<std::string> failed_hosts;
  nlohmann::json args;
  nlohmann::json data = nlohmann::json::object();
  nlohmann::json registered;       // without its items (registered_items.hpp)
};

class StepRunner {
 public:
  StepRunner(const Step& step, Module& module, RunState& state, const Inventory& inventory, const TopologySet& topologies,
             const std::vector<RunObserver*>& observers, const RunOptions& options, const std::atomic<bool>& cancel, PoolHolder& pools)
      : step_(step), module_(module), state_(state), inventory_(inventory), topologies_(topologies), observers_(observers),
        options_(options), cancel_(cancel), pools_(pools) {}

  StepOutcome run() {
    StepOutcome out;
    out.started_ns = realtime_ns();
    for (auto* o : observers_) o->step_started(step_, out.started_ns);
    std::vector<Iteration> iterations;
    if (step_.loop) {
      auto items = render(*step_.loop, state_.vars);
      if (!items || !items->is_array()) {
        Iteration it;
        it.step_failed = true;
        it.message = !items ? "loop: " + items.error().message : fmt::format("loop: expected a list, got {}", items->type_name());
        iterations.push_back(std::move(it));
      } else {
        out.args = nlohmann::json::array();
        for (const auto& item : *items) {
          if (cancel_.load()) break;
          auto vars = state_.vars;
          vars["item"] = item;
          iteration_ = static_cast<int>(iterations.size());
          iterations.push_back(run_iteration(vars));
          iterations.back().registered["item"] = item;
          out.args.push_back(iterations.back().args);
        }
      }
    } else {
      iterations.push_back(run_iteration(state_.vars));
      out.args = iterations.back().args;
    }
    const auto full = summarize(iterations, out);
    if (!step_.register_as.empty()) state_.vars[step_.register_as] = full;
    out.finished_ns = realtime_ns();
    for (auto* o : observers_) o->step_finished(step_, out);
    return out;
  }

 private:
  Iteration run_iteration(const nlohmann::json& vars) {
    Iteration it;
    for (const auto& condition : step_.when) {
      auto holds = condition.test(vars);
      if (!holds) {
        it.step_failed = true;
        it.message = "when: " + holds.error().message;
        it.registered = registered_of(it);
        return it;
      }
      if (!*holds) {
        it.skipped = true;
        it.message = fmt::format("skipped: when '{}' is false", condition.text());
        it.registered = registered_of(it);
        return it;
      }
    }
    auto args = render(step_.args, vars);
    if (!args) {
      it.step_failed = true;
      it.message = "arguments: " + args.error().message;
      it.registered = registered_of(it);
      return it;
    }
    it.args = *args;
    const int max_attempts = options_.check_mode ? 1 : step_.retries + 1;
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
      it.attempts = attempt;
      attempt_once(attempt, it, vars);
      it.registered = registered_of(it);
      const bool last = attempt == max_attempts || cancel_.load();
      if (step_.until && !options_.check_mode) {
        auto scope = vars;
        scope["result"] = with_items(it);
        if (!step_.register_as.empty()) scope[step_.register_as] = scope["result"];
        auto holds = step_.until->test(scope);
        if (!holds) {
          it.step_failed = true;
          it.message = "until: " + holds.error().message;
          break;
        }
        if (*holds) break;
        if (last) {
          it.step_failed = true;
          it.message = fmt::format("until '{}' did not hold after {} attempt{}{}", step_.until->text(), attempt, attempt == 1 ? "" : "s",
                                   it.message.empty() ? "" : " (last: " + it.message + ")");
          break;
        }
      } else {
        const bool failed = it.step_failed || !it.failed_hosts.empty();
        if (!failed || last) break;
      }
      for (auto* o : observers_) o->note(step_, fmt::format("attempt {} of {} did not succeed; again in {} s", attempt, max_attempts, step_.delay_s));
      sleep_for_ns(seconds_to_ns(step_.delay_s), cancel_);
      if (cancel_.load()) break;
    }
    it.registered = registered_of(it);
    return it;
  }

  void attempt_once(int attempt, Iteration& it, const nlohmann::json& vars) {
    AttemptSink sink(step_, iteration_, attempt, observers_, reads_items());
    const auto deadline = monotonic_ns() + seconds_to_ns(step_.timeout_s);
    StepContext ctx{inventory_, topologies_, state_, sink, options_.check_mode, deadline, cancel_, step_.name, &pools_, &vars};
    StepResult result;
    try {
      result = module_.run(it.args, ctx);
    } catch (const std::exception& e) {
      result = StepResult::failure(fmt::format("module {} threw: {}", step_.module, e.what()));
    }
    for (const auto& item : result.items) sink.record(item);
    result.items.clear();
    auto tally = sink.take();
    it.step_failed = !result.ok;
    it.changed = result.changed;
    it.message = result.message;
    it.registered = nlohmann::json::object();
    it.data = result.data;
    // The module is trusted to watch its deadline; one that overran it has failed all the same.
    const auto overrun = monotonic_ns() - deadline;
    if (overrun > 0 && !options_.check_mode) {
      it.step_failed = true;
      it.message = fmt::format("timed out: ran {:.3f} s past its timeout of {} s{}", static_cast<double>(overrun) / kNsPerS, step_.timeout_s,
                               it.message.empty() ? "" : " (" + it.message + ")");
    }
    if (!tally.hostless_failure.empty()) {
      it.step_failed = true;
      if (it.message.empty()) it.message = tally.hostless_failure;
    }
    it.failed_hosts = std::move(tally.failed_hosts);
    it.items_total = tally.total;
    it.items_failed = tally.failed;
    it.kept_items = std::move(tally.kept);
  }

  // Only a step that reads its result (`register`, `until`) needs its items in memory.
  [[nodiscard]] bool reads_items() const { return !step_.register_as.empty() || step_.until.has_value(); }

  // Without the items lists (registered_items.hpp); with_items() adds them.
  nlohmann::json registered_of(const Iteration& it) const {
    const bool failed = it.step_failed || !it.failed_hosts.empty();
    return {{"ok", !failed && !it.skipped}, {"failed", failed}, {"changed", it.changed},   {"skipped", it.skipped},
            {"message", it.message},        {"data", it.data},  {"attempts", it.attempts}, {"failed_hosts", it.failed_hosts}};
  }
  static nlohmann::json with_items(const Iteration& it) {
    auto full = it.registered;
    if (full.is_object()) full["items"] = it.kept_items;
    return full;
  }

  // Fills `out` (its registered result without the items lists) and returns the result with them
  // (what `register` binds; null unless the step registers).
  nlohmann::json summarize(std::vector<Iteration>& iterations, StepOutcome& out) {
    nlohmann::json full;
    bool all_skipped = !iterations.empty();
    std::string first_failure;
    for (const auto& it : iterations) {
      all_skipped = all_skipped && it.skipped;
      out.changed = out.changed || it.changed;
      out.step_failed = out.step_failed || it.step_failed;
      if (it.step_failed && first_failure.empty()) first_failure = it.message;
      out.failed_hosts.insert(it.failed_hosts.begin(), it.failed_hosts.end());
      out.items_total += it.items_total;
      out.items_failed += it.items_failed;
      out.attempts = it.attempts;
      out.items_kept += static_cast<int>(it.kept_items.size());
    }
    if (iterations.empty()) all_skipped = true;   // an empty loop
    if (step_.loop) {
      auto results = nlohmann::json::array();
      for (const auto& it : iterations) results.push_back(it.registered);
      const bool failed = out.step_failed || !out.failed_hosts.empty();
      out.registered = {{"ok", !failed && !all_skipped}, {"failed", failed}, {"changed", out.changed}, {"skipped", all_skipped},
                        {"results", results},           {"failed_hosts", out.failed_hosts}};
      if (!step_.register_as.empty()) {
        // What the playbook reads: every result with its items, and all of them together.
        full = out.registered;
        auto all = nlohmann::json::array();
        for (std::size_t i = 0; i < iterations.size(); ++i) {
          full["results"][i] = with_items(iterations[i]);
          for (const auto& entry : iterations[i].kept_items) all.push_back(entry);
        }
        full["items"] = std::move(all);
      }
    } else if (!iterations.empty()) {
      out.registered = iterations.front().registered;
      if (!step_.register_as.empty()) full = with_items(iterations.front());
    }
    if (out.step_failed) {
      out.status = step_.ignore_errors ? StepStatus::ignored : StepStatus::failed;
      out.message = first_failure;
    } else if (!out.failed_hosts.empty()) {
      out.status = step_.ignore_errors ? StepStatus::ignored : StepStatus::partial;
      std::string hosts;
      for (const auto& h : out.failed_hosts) hosts += (hosts.empty() ? "" : ", ") + h;
      out.message = fmt::format("{} of {} items failed (hosts: {})", out.items_failed, out.items_total, hosts);
    } else if (all_skipped) {
      out.status = StepStatus::skipped;
      out.message = iterations.empty() ? "skipped: the loop is empty" : iterations.front().message;
    } else {
      out.status = out.changed ? StepStatus::changed : StepStatus::ok;
      out.message = iterations.size() == 1 ? iterations.front().message : fmt::format("{} loop items", iterations.size());
    }
    if (out.status == StepStatus::ignored) out.message = "ignored: " + out.message;
    return full;
  }

  const Step& step_;
  Module& module_;
  RunState& state_;
  const Inventory& inventory_;
  const TopologySet& topologies_;
  const std::vector<RunObserver*>& observers_;
  const RunOptions& options_;
  const std::atomic<bool>& cancel_;
  PoolHolder& pools_;
  int iteration_ = 0;
};

}  // namespace

std::string_view to_string(StepStatus status) {
  switch (status) {
    case StepStatus::ok: return "ok";
    case StepStatus::changed: return "changed";
    case StepStatus::partial: return "partial";
    case StepStatus::failed: return "failed";
    case StepStatus::ignored: return "ignored";
    case StepStatus::skipped: return "skipped";
  }
  return "?";
}

RunOutcome Engine::run(const Playbook& playbook, const RunOptions& options) {
  static const std::atomic<bool> never{false};
  const std::atomic<bool>& cancel = options.cancel != nullptr ? *options.cancel : never;
  std::atomic<bool> always_cancel{false};   // the always: steps clean up even after Ctrl-C

  RunState state;
  state.run_id = options.run_id;
  state.out_dir = options.out_dir;
  state.db_path = options.db_path;
  state.vars = playbook.vars;
  for (const auto& [key, value] : options.extra_vars.items()) state.vars[key] = value;
  state.vars["run_id"] = options.run_id;
  state.vars["check_mode"] = options.check_mode;
  // Files named beside the playbook ("{{ playbook_dir }}/examples/trace.json") work from any folder.
  if (!playbook.dir.empty()) state.vars["playbook_dir"] = playbook.dir;
  // A playbook var may itself be a template over the names bound above (run_id, check_mode,
  // playbook_dir, -e vars), rendered once here; one that -e replaced is not looked at.
  std::string vars_error;
  for (const auto& [key, value] : playbook.vars.items()) {
    if (options.extra_vars.contains(key) || !is_templated(value)) continue;
    auto rendered = render(value, state.vars);
    if (!rendered) {
      vars_error = fmt::format("vars.{}: {}", key, rendered.error().message);
      break;
    }
    state.vars[key] = std::move(*rendered);
  }

  PoolHolder pools(inventory_, options.pools, PoolRequest{options.run_id, options.holder, options.check_mode});

  RunHeader header;
  header.run_id = options.run_id;
  header.playbook = &playbook;
  header.check_mode = options.check_mode;
  header.started_ns = realtime_ns();
  for (const auto* step : playbook.all_steps()) {
    if (step_selected(*step, options.tags, options.skip_tags)) header.selected.push_back(step);
  }
  for (auto* o : observers_) o->run_started(header);

  RunOutcome outcome;
  std::string stop_reason;
  std::vector<std::string> failures;
  if (!vars_error.empty()) {
    stop_reason = vars_error;
    failures.push_back(vars_error);
  }
  auto not_run = [&](const Step& step, const std::string& why) {
    StepOutcome skipped;
    skipped.status = StepStatus::skipped;
    skipped.message = "not run: " + why;
    skipped.started_ns = skipped.finished_ns = realtime_ns();
    for (auto* o : observers_) o->step_started(step, skipped.started_ns);
    for (auto* o : observers_) o->step_finished(step, skipped);
  };

  for (const auto* step : header.selected) {
    const bool always = step->in_always;
    if (!always && !stop_reason.empty()) {
      not_run(*step, stop_reason);
      continue;
    }
    if (!always && cancel.load()) {
      outcome.interrupted = true;
      stop_reason = "interrupted";
      not_run(*step, stop_reason);
      continue;
    }
    Module* module = registry_.find(step->module);
    if (module == nullptr) {   // validate_playbook rules this out; stay safe anyway
      stop_reason = fmt::format("unknown module '{}'", step->module);
      failures.push_back(stop_reason);
      continue;
    }
    StepRunner runner(*step, *module, state, inventory_, topologies_, observers_, options, always ? always_cancel : cancel, pools);
    const auto so = runner.run();
    ++outcome.steps_run;
    if (so.status == StepStatus::failed) {
      ++outcome.steps_failed;
      failures.push_back(fmt::format("step '{}' failed: {}", step->name, so.message));
      if (!always) stop_reason = fmt::format("step '{}' failed", step->name);
    }
    if (so.status == StepStatus::partial) {
      state.failed_hosts.insert(so.failed_hosts.begin(), so.failed_hosts.end());
      if (playbook.any_errors_fatal && !always) {
        stop_reason = fmt::format("step '{}' failed on some hosts and any_errors_fatal is set", step->name);
        failures.push_back(stop_reason);
      }
    }
  }
  if (cancel.load()) outcome.interrupted = true;

  outcome.failed_hosts = state.failed_hosts;
  const bool too_many_hosts = static_cast<int>(state.failed_hosts.size()) > playbook.max_fail_hosts;
  outcome.passed = failures.empty() && !too_many_hosts && !outcome.interrupted;
  outcome.status = outcome.passed ? "passed" : "failed";
  std::vector<std::string> why = failures;
  if (too_many_hosts) {
    std::string hosts;
    for (const auto& h : state.failed_hosts) hosts += (hosts.empty() ? "" : ", ") + h;
    why.push_back(fmt::format("{} host{} failed ({}); max_fail_hosts is {}", state.failed_hosts.size(), state.failed_hosts.size() == 1 ? "" : "s",
                              hosts, playbook.max_fail_hosts));
  }
  if (outcome.interrupted) why.insert(why.begin(), "interrupted");
  for (const auto& w : why) outcome.message += (outcome.message.empty() ? "" : "; ") + w;
  if (outcome.passed && !state.failed_hosts.empty()) outcome.message = fmt::format("passed with {} failed host(s) (max_fail_hosts {})", state.failed_hosts.size(), playbook.max_fail_hosts);
  outcome.finished_ns = realtime_ns();
  for (auto* o : observers_) o->run_finished(outcome);
  return outcome;
}

}  // namespace mixnet::coord
