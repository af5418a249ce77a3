#include "coordinator/measure/reports.hpp"

#include "common/atomic_file.hpp"

namespace mixnet::coord::measure {

Result<ReportPaths> write_reports(const Measurement& m, const std::string& dir) {
  ReportPaths paths;
  auto json = write_file_atomically(dir, "measurement.json", to_json(m).dump(2) + "\n");
  if (!json) return std::unexpected(json.error());
  auto csv = write_file_atomically(dir, "measurement.csv", render_csv(m));
  if (!csv) return std::unexpected(csv.error());
  auto html = write_file_atomically(dir, "report.html", render_html(m));
  if (!html) return std::unexpected(html.error());
  paths.json = *json;
  paths.csv = *csv;
  paths.html = *html;
  return paths;
}

}  // namespace mixnet::coord::measure
