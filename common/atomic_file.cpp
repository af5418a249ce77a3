#include "common/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace mixnet {

Result<std::string> write_file_atomically(const std::string& dir, const std::string& name, const std::string& text) {
  return write_file_atomically(dir, name, [&](std::ostream& out) -> Result<void> {
    out << text;
    return {};
  });
}

Result<std::string> write_file_atomically(const std::string& dir, const std::string& name,
                                          const std::function<Result<void>(std::ostream&)>& write) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Errc::io, fmt::format("create {}: {}", dir, ec.message()), "dir");
  const auto path = (std::filesystem::path(dir) / name).string();
  const auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail_errno("open " + tmp, errno);
    if (auto written = write(out); !written) {
      out.close();
      std::filesystem::remove(tmp, ec);
      return std::unexpected(written.error());
    }
    out.flush();
    if (!out) return fail_errno("write " + tmp, errno);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail_errno("rename " + tmp, errno);
  return path;
}

}  // namespace mixnet
