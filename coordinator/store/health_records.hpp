#pragma once
// The health check's figures, kept per run in the results store (its own table,
// health_observations, in the same SQLite file, created when missing), so that baselines are made
// from past passing runs and trends read a part across nights. Written once per run, in one
// transaction, before any report is shown.
#include <sqlite3.h>

#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/health/baseline.hpp"
#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {

class ResultsStore;

// Which parts a trend reads: one part exactly, or a host (the host itself and every part named
// from one of its ports: "h1:*", which takes in the circuits and pairs it sends on).
struct HealthPartFilter {
  std::string part;      // exact part name; or
  std::string host;      // a host
  std::string figure;    // empty: every figure
};

class HealthRecords {
 public:
  // Creates the table and its indexes when missing. The store must outlive this object.
  static Result<HealthRecords> open(ResultsStore& store);

  // Every observation of the run (the run must be in the store). Errors name the store.
  Result<void> save(const std::string& run_id, const std::vector<health::Observation>& observations);
  Result<std::vector<health::Observation>> load_run(const std::string& run_id);

  // The newest `limit` runs with status "passed" that recorded observations, newest first.
  Result<std::vector<health::RunObservations>> passing_runs(int limit);
  // These runs, in the order given; a run with no observations is an error (Errc::not_found)
  // naming it, since a baseline made from it would silently lack its figures.
  Result<std::vector<health::RunObservations>> runs(const std::vector<std::string>& run_ids);
  // The parts' observations in the last `nights` runs that recorded any of them, oldest first.
  Result<std::vector<health::RunObservations>> history(const HealthPartFilter& filter, int nights);

 private:
  HealthRecords(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<std::vector<health::Observation>> load(const std::string& run_id, const HealthPartFilter* filter);
  sqlite3* db_;
  std::string path_;
};

}  // namespace mixnet::coord
