#pragma once
// The nightly health run as one self-contained HTML page (docs/health/reports.md, "HTML report"):
// a host x port grid coloured by verdict, every blame with the evidence behind it (its tests,
// partners, figures and findings), every finding, the trends of past nights as inline SVG charts,
// and all bandwidth tests. CSS is inline; there is no script and no external reference (fonts,
// images, links), so it opens anywhere with no network. Every text from the report is escaped.
#include <string>

#include "common/result.hpp"
#include "coordinator/health/health_types.hpp"
#include "coordinator/report/health_history.hpp"

namespace mixnet::coord {

[[nodiscard]] std::string health_html(const health::HealthReport& report, const HealthHistory& history);

// Writes the page to `path` through a temporary file and a rename (its folder is created when
// missing). Errors are Errc::io naming the file, or Errc::invalid_argument (field "path").
Result<void> write_health_html(const health::HealthReport& report, const HealthHistory& history, const std::string& path);

}  // namespace mixnet::coord
