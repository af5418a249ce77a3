#pragma once
// results.json: a run as the store holds it (run, steps, every item verdict with its attempt),
// written into the run folder. Documented in docs/playbooks.md, "Results".
#include <string>

#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/result.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {

nlohmann::json run_to_json(const RunDetail& detail);
// Writes DIR/results.json (through a temporary file and a rename, so a reader never sees half).
Result<std::string> write_results_json(const RunDetail& detail, const std::string& dir);

}  // namespace mixnet::coord
