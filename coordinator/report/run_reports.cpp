#include "coordinator/report/run_reports.hpp"

#include "coordinator/report/json_report.hpp"
#include "coordinator/report/junit.hpp"

namespace mixnet::coord {

Result<RunReportPaths> write_run_reports(ResultsStore& store, const RunSteps& run, const std::string& dir) {
  StoredRunItems items(store, run.run.id);
  auto json_path = write_results_json(run, items, dir);
  if (!json_path) return std::unexpected(json_path.error());
  auto junit_path = write_junit(run, items, dir);
  if (!junit_path) return std::unexpected(junit_path.error());
  return RunReportPaths{*json_path, *junit_path};
}

}  // namespace mixnet::coord
