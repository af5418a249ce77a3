#pragma once
// A scratch folder for CLI tests (removed with the object) and the shipped examples
// (playbooks/examples, read from the source tree: the test target defines MIXNET_SOURCE_DIR).
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/coordinator/support/cli_args.hpp"

namespace mixnet::coord::testing {

class CliScratchDir {
 public:
  // `prefix` tells tests apart in the temporary folder; the pid, concurrent runs.
  explicit CliScratchDir(const std::string& prefix)
      : dir_(std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~CliScratchDir() { std::filesystem::remove_all(dir_); }
  CliScratchDir(const CliScratchDir&) = delete;
  CliScratchDir& operator=(const CliScratchDir&) = delete;

  std::string examples = std::string(MIXNET_SOURCE_DIR) + "/playbooks/examples/";
  [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }
  int cli(std::vector<std::string> args) const { return run_cli_words(std::move(args)); }

 private:
  std::filesystem::path dir_;
};

}  // namespace mixnet::coord::testing
