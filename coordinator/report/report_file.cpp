#include "coordinator/report/report_file.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "common/atomic_file.hpp"

namespace mixnet::coord {

Result<void> write_report_file(const std::string& path, const std::string& text, const std::string& what) {
  const std::filesystem::path target(path);
  if (path.empty() || !target.has_filename()) return fail(Errc::invalid_argument, fmt::format("{}: '{}' names no file", what, path), "path");
  const auto dir = target.has_parent_path() ? target.parent_path().string() : std::string(".");
  auto written = write_file_atomically(dir, target.filename().string(), text);
  if (!written) return std::unexpected(written.error().context(what));
  return {};
}

}  // namespace mixnet::coord
