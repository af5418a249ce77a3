#pragma once
// What health.counters records from two counter snapshots (docs/health/counters.md): one
// health::Observation per port and counter delta for the run's ledger, and one item per inventory
// port (ok / failed / unreachable) for the results store. Pure: the module reads the agents, this
// turns the readings into records, so every case is unit-tested on hand-made snapshots.
//
// A port whose counters could not be read (agent down, port not reported) is never dropped: its
// item fails and it gets an Observation "counters" with no value and why_missing.
#include <string>
#include <vector>

#include "coordinator/engine/module.hpp"
#include "coordinator/health/carrier_account.hpp"
#include "coordinator/health/counter_snapshot.hpp"
#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {

struct Inventory;

struct CounterRecords {
  std::vector<health::Observation> observations;
  std::vector<ItemResult> items;
  std::vector<std::string> unreachable_hosts;   // the agent did not answer (for HealthLedger::add_unreachable)
};

// How the window is named in each Observation's source: "counters since run R" or
// "counters since mark 'round-2'" (the elapsed time is added per host: " (12 h)").
//
// Flaps: the carrier_changes delta of each port is split into what the run's own re-patching
// explains (the carrier windows health.bandwidth recorded, and the previous run's closing
// ocs.clear when the window starts in an earlier run) and what it does not (health/carrier_account.hpp):
// Observations carrier_changes (raw), carrier_changes_explained and carrier_changes_unexplained
// (the flapping rule's figure; no value when a window inside could not be read).
struct CounterWindow {
  std::string name;                  // "run 20261206T020000Z-1a2b", "mark 'round-2'"
  bool after_previous_run = false;   // since: last-run: the previous run's closing ocs.clear is inside
  const std::vector<health::CarrierWindow>* carrier_windows = nullptr;   // null: none recorded
};

// Deltas from `before` to `after` for every port of the inventory hosts named in `hosts`.
// `before` null: a reading with nothing to diff against (a mark): items and unreadable ports only.
CounterRecords counter_records(const Inventory& inventory, const std::vector<std::string>& hosts,
                               const health::CounterSnapshot* before, const health::CounterSnapshot& after,
                               const CounterWindow& window);

// "35 s", "14 min", "12.0 h".
std::string describe_window(std::int64_t ns);

}  // namespace mixnet::coord
