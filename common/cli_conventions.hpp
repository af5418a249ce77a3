#pragma once
// What every command line of the testbed does the same way (mixnet-agent, mixnet-coord,
// mixnet-ocs, mixnet-ocs-emu, mixnet-lab). Header-only: only the executables link CLI11.
#include <CLI/CLI.hpp>
#include <string_view>

#include "common/version.hpp"

namespace mixnet {

// Call right after constructing the app, before adding subcommands (they inherit fallthrough):
//  - options of the app also work after a subcommand ("mixnet-ocs --switch URI list --json");
//  - --version prints "PROGRAM VERSION" and exits 0 (CLI::CallForVersion; app.exit prints it).
inline void apply_cli_conventions(CLI::App& app, std::string_view program) {
  app.fallthrough();
  app.set_version_flag("--version", version_line(program), "Print the version and exit");
}

}  // namespace mixnet
