#pragma once
// mixnet-coord's run_cli() called with words, as a shell would pass them ("mixnet-coord" first).
#include <string>
#include <vector>

#include "coordinator/cli/commands.hpp"

namespace mixnet::coord::testing {

inline int run_cli_words(std::vector<std::string> args) {
  args.insert(args.begin(), "mixnet-coord");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return run_cli(static_cast<int>(argv.size()), argv.data());
}

}  // namespace mixnet::coord::testing
