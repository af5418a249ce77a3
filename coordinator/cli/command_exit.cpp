#include "coordinator/cli/command_exit.hpp"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
#include "coordinator/cli/commands.hpp"

namespace mixnet::coord {

int bad_input(const Error& e) {
  fmt::print(stderr, "mixnet-coord: {}\n", e.message);
  return kExitBadInput;
}

int write_output_file(const std::string& path, const std::string& text) {
  const std::filesystem::path out = std::filesystem::absolute(path);
  auto written = write_file_atomically(out.parent_path().string(), out.filename().string(), text);
  if (!written) {
    fmt::print(stderr, "mixnet-coord: writing {}: {}\n", path, written.error().describe());
    return kExitFailed;
  }
  return kExitPassed;
}

}  // namespace mixnet::coord
