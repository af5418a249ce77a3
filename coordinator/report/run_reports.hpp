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

// Errors: Errc::not_found (field "run") for a run the store does not hold; the store's own
// errors reading it; Errc::io naming the file that could not be written.
Result<RunReportPaths> write_run_reports(ResultsStore& store, const std::string& run_id, const std::string& dir);

}  // namespace mixnet::coord
