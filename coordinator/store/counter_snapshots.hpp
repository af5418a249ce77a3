#pragma once
// Port-counter snapshots in the results store (docs/health/counters.md): health.counters saves
// every night's reading so that the next night can diff against it, in its own table of the same
// SQLite file (counter_snapshots, created when missing). One row per run, mark and host: the
// agent's GET /v1/counters reply as it was parsed, re-checked with the wire parser when read back.
#include <sqlite3.h>

#include <optional>
#include <string>

#include "common/result.hpp"
#include "coordinator/health/counter_snapshot.hpp"

namespace mixnet::coord {

class CounterSnapshotStore {
 public:
  // Creates the table when missing. `db` stays the caller's (ResultsStore::handle()) and must
  // outlive this object. Errors (io) name the table.
  static Result<CounterSnapshotStore> attach(sqlite3* db);

  // Saves the hosts that have a reading, in one transaction (a host that could not be read has
  // nothing to diff against next time). Saving the same run and mark again replaces it.
  Result<void> save(const health::CounterSnapshot& snapshot);

  // The newest snapshot saved under `mark` by any run but `exclude_run_id` (this run); nullopt
  // when there is none. A stored reply the wire parser refuses is an error naming run and host.
  Result<std::optional<health::CounterSnapshot>> latest(const std::string& mark, const std::string& exclude_run_id);

 private:
  explicit CounterSnapshotStore(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace mixnet::coord
