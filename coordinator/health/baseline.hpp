#pragma once
// Baselines (docs/health/rules.md, "Baselines"): per part and figure, the median and spread of N
// passing runs, so that a rule can say "5% below what this port usually does". Made by
// `mixnet-coord baseline generate` from the results store, written as a YAML file a person
// reviews (and may edit) before using it, read back with validation.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

// One figure of one part over the runs it was measured in.
struct BaselineEntry {
  PartKind kind = PartKind::port;
  std::string part;
  std::string figure;
  std::string unit;
  double median = 0;
  double mad = 0;        // median absolute deviation from the median
  double p10 = 0;        // 10th and 90th percentile of the per-run values
  double p90 = 0;
  int runs = 0;          // how many runs had a value for it
  friend bool operator==(const BaselineEntry&, const BaselineEntry&) = default;
};

struct Baseline {
  std::string file;                       // where it was read from ("" when made in memory)
  std::string generated_at;               // UTC, ISO 8601
  std::string generated_from;             // the results store it was made from
  std::vector<std::string> run_ids;       // the passing runs it summarises
  std::map<std::pair<std::string, std::string>, BaselineEntry> entries;   // (part, figure) -> entry

  [[nodiscard]] const BaselineEntry* find(const std::string& part, const std::string& figure) const;
};

// The observations of one run, as the results store keeps them.
struct RunObservations {
  std::string run_id;
  std::int64_t started_ns = 0;
  std::vector<Observation> observations;
};

// Per part and figure: the median of each run's values (a retest gives a run several), then the
// median, MAD, p10 and p90 across runs. Missing values are left out (a passing run has few).
[[nodiscard]] Baseline make_baseline(const std::vector<RunObservations>& runs);

// The reviewable YAML text: a comment header saying where it came from and how to read it, then
// the parts in order, each with its figures.
[[nodiscard]] std::string baseline_yaml(const Baseline& baseline);

// Errors name the file, the part and the field: "base.yaml:12: parts.h1:ocs0.bandwidth_gbps.mad: ...".
Result<Baseline> parse_baseline(std::string_view yaml_text, const std::string& display_name);
Result<Baseline> read_baseline(const std::string& path);

// Median and spread of a list of values (not empty); exposed for the trend and its tests.
struct Spread {
  double median = 0;
  double mad = 0;
  double p10 = 0;
  double p90 = 0;
};
[[nodiscard]] Spread spread_of(std::vector<double> values);
[[nodiscard]] double median_of(std::vector<double> values);

}  // namespace mixnet::coord::health
