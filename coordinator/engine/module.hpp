#pragma once
// The module interface: what every playbook module (wait, assert, ocs.apply, links.verify,
// nic.configure, and next traffic.run, measure.reconfig) implements. The engine knows modules only
// through this file and the registry, so a new module is one class + one registration line in
// coordinator/modules/builtin.cpp; the engine is never touched.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace mixnet::coord {

struct Inventory;
class TopologySet;
class AgentPool;    // coordinator/agents/agent_pool.hpp
class SwitchPool;   // coordinator/ocs/switch_pool.hpp
namespace health {
class HealthLedger; // coordinator/health/health_ledger.hpp
}

// Item statuses. "ok" and "skipped" are passes; every other status is a failure of the item.
namespace item_status {
inline constexpr std::string_view ok = "ok";
inline constexpr std::string_view failed = "failed";
inline constexpr std::string_view miswired = "miswired";
inline constexpr std::string_view dark = "dark";
inline constexpr std::string_view one_sided = "one-sided";
inline constexpr std::string_view unreachable = "unreachable";
inline constexpr std::string_view skipped = "skipped";
}  // namespace item_status

// One verdict: a host, a port, a circuit, a pair.
struct ItemResult {
  std::string kind;              // "host" | "port" | "circuit" | "pair"
  std::string id;                // "h1", "h1:ocs0", "h1:ocs0-h2:ocs1"
  std::string status;            // see item_status
  std::string message;           // human: "cabled to h3:ocs2, expected h2:ocs1"
  nlohmann::json data = nlohmann::json::object();  // machine: expected/actual peer, times, figures
  std::int64_t started_ns = 0;   // CLOCK_REALTIME
  std::int64_t finished_ns = 0;
  // The hosts a failure of this item counts against (per-host failure isolation). When empty the
  // engine derives it from kind/id: "host" -> id, "port" -> the part before ':'. Set it for
  // circuits and pairs (both ends' hosts). An item failing with no host fails the whole step.
  std::vector<std::string> hosts;

  [[nodiscard]] bool passed() const { return status == item_status::ok || status == item_status::skipped; }
};

struct StepResult {
  bool ok = true;                // false: the step itself failed (not one host: the whole step)
  bool changed = false;          // the module changed something (or would, in check mode)
  std::string message;           // one line for people
  nlohmann::json data = nlohmann::json::object();  // `register`ed as result.data
  std::vector<ItemResult> items;  // items already given to the ResultSink need not be repeated here

  static StepResult failure(std::string message) {
    StepResult r;
    r.ok = false;
    r.message = std::move(message);
    return r;
  }
};

// What a module may look at when validating its arguments at load time (before anything runs).
struct ValidationContext {
  const Inventory& inventory;
  const TopologySet& topologies;
  std::string step_name;
};

// True when a JSON value (or anything inside it) holds a "{{ ... }}" template: its real value is
// only known at run time, so validate() should check only its shape, if anything.
bool is_templated(const nlohmann::json& value);

// State that lives across the steps of one run.
struct RunState {
  std::string run_id;
  std::map<std::string, std::string> topology_of_switch;  // what ocs.apply last applied, per switch
  nlohmann::json vars = nlohmann::json::object();        // playbook vars, -e vars, registered results
  std::set<std::string> failed_hosts;                     // hosts with a failed item so far
  std::string out_dir;   // the run folder (results.json goes there); modules may add reports; empty: none
  std::string db_path;   // the results store of this run (modules that keep history across runs); empty: none
  std::shared_ptr<health::HealthLedger> health;  // what the health checks found so far (health::ledger_of)
};

// Where a module reports verdicts as they happen: each item is committed to the results store
// and shown in the progress display before record() returns. Thread-safe.
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void record(const ItemResult& item) = 0;
  // Items a module has all at once (a step's thousands of test results): recorded together, so
  // the results store writes them in one transaction rather than one sync to disk each.
  virtual void record_all(const std::vector<ItemResult>& items) {
    for (const auto& i : items) record(i);
  }
  // A progress note for people ("waiting for 3 links"); not stored.
  virtual void note(std::string_view text) = 0;
};

// Makes the pools on first use (the engine owns them for the run). An error means this build or
// this inventory cannot drive agents / switches; the step that asked fails with that message.
struct PoolRequest {
  std::string run_id;
  std::string holder;     // who we are, for the OCS lease: "mixnet-coord pid 123 on host x, run R"
  bool check_mode = false;
};
struct PoolFactories {
  std::function<Result<std::shared_ptr<AgentPool>>(const Inventory&, const PoolRequest&)> agents;
  std::function<Result<std::shared_ptr<SwitchPool>>(const Inventory&, const PoolRequest&)> switches;
};

class PoolHolder;  // engine/pool_holder.hpp

struct StepContext {
  const Inventory& inventory;
  const TopologySet& topologies;
  RunState& state;
  ResultSink& sink;
  bool check_mode = false;             // say what would change; touch no hardware
  std::int64_t deadline_ns = 0;        // monotonic_ns() by which run() must return
  const std::atomic<bool>& cancel;     // set on Ctrl-C: stop as soon as it is safe
  std::string step_name;
  PoolHolder* pools = nullptr;
  // The names in scope for this step (state.vars plus `item` in a loop), for modules that
  // evaluate expressions (assert, wait); nullptr means state.vars.
  const nlohmann::json* scope = nullptr;

  [[nodiscard]] const nlohmann::json& vars() const { return scope != nullptr ? *scope : state.vars; }
  Result<AgentPool*> agents();         // made on first use
  Result<SwitchPool*> switches();      // made on first use (opening switches stays lazy in the pool)
  [[nodiscard]] bool expired() const;  // the deadline has passed
};

class Module {
 public:
  virtual ~Module() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // At playbook load time, before anything runs. Errors name the argument (Error::field).
  // Arguments holding templates (is_templated) are checked again, resolved, at run time by run().
  [[nodiscard]] virtual Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const = 0;
  // Runs the step (args with every template resolved). In check mode: report what would change
  // (StepResult::changed, message) and touch nothing. Must return by ctx.deadline_ns.
  virtual StepResult run(const nlohmann::json& args, StepContext& ctx) = 0;
};

}  // namespace mixnet::coord
