#pragma once
// The nightly run's conclusion, made from what the checks recorded (the ledger), what the rules
// found and what blame decided: the HealthReport every output reads (results items, health.json,
// Prometheus textfile, HTML, scheduler), its overall severity, and its JSON at the report edge.
// Pure: typed records in, typed records out.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {
struct Inventory;
}

namespace mixnet::coord::health {

// The run's verdict: the worst blame (a blame of severity unknown makes it unknown: a part could
// not be judged), and at least warning when a rule warned. A critical finding that blame did not
// take up (a circuit whose ends both passed their retests elsewhere is blamed as a circuit, a
// partner that passed with others is not blamed) does not make the run critical on its own:
// retest before blame.
[[nodiscard]] Severity overall_severity(const std::vector<Finding>& findings, const std::vector<Blame>& blames);

struct ReportParts {
  std::string run_id;
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;
  std::vector<Observation> observations;
  std::vector<Finding> findings;   // ok findings are dropped
  std::vector<PairTest> tests;
  std::vector<Blame> blames;
};
[[nodiscard]] HealthReport make_health_report(ReportParts parts, const Inventory& inventory);

// health.json: the report as written into the run folder (and read back by `mixnet-coord health`
// for its exit code: "overall" and "exit_code").
[[nodiscard]] nlohmann::json health_report_json(const HealthReport& report);

}  // namespace mixnet::coord::health
