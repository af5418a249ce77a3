#pragma once
// The nightly health run as a Prometheus textfile, for node_exporter's textfile collector
// (--collector.textfile.directory): per-run, per-host and per-port gauges, and one gauge family
// per figure the checks measured. Metric names and labels are listed in docs/health/reports.md.
//
// The file is written through NAME.tmp and a rename, so the collector (which reads only *.prom)
// never sees half a file. node_exporter refuses explicit timestamps in textfiles, so the run's
// time is a gauge of its own.
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {

// The text exposition format (version 0.0.4), ending with a newline.
[[nodiscard]] std::string prometheus_health_text(const health::HealthReport& report);

// Writes the text to `path` (its folder is created when missing). Errors are Errc::io naming the
// file, or Errc::invalid_argument (field "path") for a path with no file name.
Result<void> write_prometheus_textfile(const health::HealthReport& report, const std::string& path);

// Exposition-format escaping: label values escape backslash, double quote and newline; HELP
// text escapes backslash and newline.
[[nodiscard]] std::string prometheus_label_escape(std::string_view text);
[[nodiscard]] std::string prometheus_help_escape(std::string_view text);

// A figure's name as a metric name part: lower-case [a-z0-9_], abbreviated time units spelled
// out in seconds ("clock_offset_ms" -> "clock_offset_seconds", the value scaled to match by
// prometheus_figure_scale), and no "_total" suffix (that is for counters; these are gauges).
[[nodiscard]] std::string prometheus_figure_name(std::string_view figure);
[[nodiscard]] double prometheus_figure_scale(std::string_view figure);

}  // namespace mixnet::coord
