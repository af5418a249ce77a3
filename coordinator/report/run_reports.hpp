#pragma once
// A run's reports, results.json and junit.xml, written into a folder from the results store: by
// mixnet-coord run when the run ends, and by `mixnet-coord results RUN --out DIR`.
#include <string>

#include "common/result.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {

struct RunReportPaths {
  std::string results_json;
  std::string junit;
};

// `run` from store.load_run_steps(); its items are read from the store one at a time, never
// held whole. Errors: the store's reading an item; Errc::io naming the file that could not be
// written.
Result<RunReportPaths> write_run_reports(ResultsStore& store, const RunSteps& run, const std::string& dir);

}  // namespace mixnet::coord
