#pragma once
// Reports drawn from a measurement document (measurement_doc.hpp): a CSV row per repetition and
// port, a self-contained HTML page with inline SVG figures (no network, no scripts: it opens from
// a file anywhere), and a short table for the terminal. docs/measurement.md, "Reading the report".
#include <string>

#include "common/result.hpp"
#include "coordinator/measure/measurement_doc.hpp"

namespace mixnet::coord::measure {

// Header: repetition, port, topologies, then per moment <m>_ns and <m>_uncertainty_ns, per segment
// <s>_ms, <s>_uncertainty_ms and <s>_status, flaps, reference_gbps, per segment with truth
// <s>_truth_ms and <s>_error_ms, and notes (why things are missing). Missing values are empty cells.
std::string render_csv(const Measurement& m);

// XHTML-compatible HTML5 (it parses as XML): summary, ground truth, one CDF figure per segment
// (<svg class="cdf" data-segment="...">), the throughput timelines (<svg class="timeline">), a
// per-port table, the clocks and every row.
std::string render_html(const Measurement& m);

// A fixed-width table of the segment distributions (ms) and the ground-truth verdict.
std::string render_summary_text(const Measurement& m);

struct ReportPaths {
  std::string csv;
  std::string html;
  std::string json;
};
// Writes DIR/measurement.json, DIR/measurement.csv and DIR/report.html (each through a temporary
// file and a rename, so a reader never sees half a file).
Result<ReportPaths> write_reports(const Measurement& m, const std::string& dir);

}  // namespace mixnet::coord::measure
