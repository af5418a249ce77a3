#pragma once
// The measurement document: what measure.reconfig puts in its step result (and so in
// results.json), and what every report is drawn from. JSON shape in docs/measurement.md,
// "results.json". Derived figures (segments, summaries, errors, the truth verdict) are written for
// readers but recomputed from the moments on reading, so a report never disagrees with its data.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/measure/breakdown.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/measure/full_rate.hpp"
#include "coordinator/measure/ground_truth.hpp"

namespace mixnet::coord::measure {

inline constexpr std::string_view kMeasurementFormat = "mixnet reconfig-measurement";
inline constexpr int kMeasurementVersion = 1;

// Throughput across one reconfiguration, for the report's timeline figure.
struct TimelineExcerpt {
  int repetition = 0;
  std::string port;
  std::int64_t start_ns = 0;          // coordinator clock, start of the first bin
  std::int64_t bin_ns = 1'000'000;
  std::vector<double> gbps;           // one per bin
  std::optional<double> reference_gbps, threshold_gbps;
  std::vector<std::pair<std::string, std::int64_t>> markers;  // moment name, coordinator ns
};

// The bins of `timeline` from `before_ns` ahead of the command to `after_ns` past the traffic's
// return (or past the last moment seen), with every moment present as a marker.
TimelineExcerpt make_excerpt(const Timeline& timeline, const PortBreakdown& row, std::int64_t before_ns = 100'000'000,
                             std::int64_t after_ns = 200'000'000);

struct MeasurementRow {
  PortBreakdown measured;
  std::optional<TruthRow> truth;
};

struct Measurement {
  std::string title;
  std::string run_id;
  FullRateRule rule;
  std::vector<ClockOffset> clocks;
  std::vector<MeasurementRow> rows;
  std::optional<TruthCheck> truth_check;     // present when the rows were checked against truth
  std::vector<TimelineExcerpt> timelines;
};

// Puts rows together; with `truth`, matches every row to it and checks the bound.
Measurement assemble(std::string title, FullRateRule rule, std::vector<ClockOffset> clocks,
                     std::vector<PortBreakdown> rows, const GroundTruth* truth = nullptr,
                     const TruthOptions& truth_options = {}, std::vector<TimelineExcerpt> timelines = {});

// Per port, the segment summaries over repetitions (ports in first-seen order).
std::vector<std::pair<std::string, std::vector<SegmentSummary>>> summarize_by_port(std::span<const MeasurementRow> rows);
std::vector<PortBreakdown> measured_rows(std::span<const MeasurementRow> rows);

nlohmann::json to_json(const Measurement& m);
// Errors (invalid_argument) name the path: "rows[3].moments.link_up.ns".
Result<Measurement> measurement_from_json(const nlohmann::json& j);
// The measurement document itself, or the first one inside a results.json (a step's result).
Result<nlohmann::json> find_measurement(const nlohmann::json& doc_or_results);

}  // namespace mixnet::coord::measure
