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
struct CounterWindow {
  std::string name;   // "run 20261206T020000Z-1a2b", "mark 'round-2'"
};

// Deltas from `before` to `after` for every port of the inventory hosts named in `hosts`.
// `before` null: a reading with nothing to diff against (a mark): items and unreadable ports only.
CounterRecords counter_records(const Inventory& inventory, const std::vector<std::string>& hosts,
                               const health::CounterSnapshot* before, const health::CounterSnapshot& after,
                               const CounterWindow& window);

// "35 s", "14 min", "12.0 h".
std::string describe_window(std::int64_t ns);

}  // namespace mixnet::coord
