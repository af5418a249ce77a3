#pragma once
// results.json: a run as the store holds it (run, steps, every item verdict with its attempt),
// written into the run folder. Documented in docs/playbooks.md, "Results".
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/result.hpp"
#include "coordinator/report/run_items.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {

nlohmann::json run_to_json(const RunDetail& detail);
// The same text as run_to_json(...).dump(2) and a newline, written one item at a time (the
// step results' items lists put back as they are written): no step's items are held whole.
Result<void> write_results_json(std::ostream& out, const RunSteps& run, RunItems& items);
// Writes DIR/results.json (through a temporary file and a rename, so a reader never sees half).
Result<std::string> write_results_json(const RunSteps& run, RunItems& items, const std::string& dir);
Result<std::string> write_results_json(const RunDetail& detail, const std::string& dir);

}  // namespace mixnet::coord
