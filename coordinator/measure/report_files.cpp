#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "coordinator/measure/reports.hpp"

namespace mixnet::coord::measure {

namespace {

Result<std::string> write_atomically(const std::string& dir, const std::string& name, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Errc::io, fmt::format("create {}: {}", dir, ec.message()), "dir");
  const auto path = (std::filesystem::path(dir) / name).string();
  const auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail_errno("open " + tmp, errno);
    out << text;
    out.flush();
    if (!out) return fail_errno("write " + tmp, errno);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail_errno("rename " + tmp, errno);
  return path;
}

}  // namespace

Result<ReportPaths> write_reports(const Measurement& m, const std::string& dir) {
  ReportPaths paths;
  auto json = write_atomically(dir, "measurement.json", to_json(m).dump(2) + "\n");
  if (!json) return std::unexpected(json.error());
  auto csv = write_atomically(dir, "measurement.csv", render_csv(m));
  if (!csv) return std::unexpected(csv.error());
  auto html = write_atomically(dir, "report.html", render_html(m));
  if (!html) return std::unexpected(html.error());
  paths.json = *json;
  paths.csv = *csv;
  paths.html = *html;
  return paths;
}

}  // namespace mixnet::coord::measure
