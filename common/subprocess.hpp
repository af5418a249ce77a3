#pragma once
// Running a program: argv executed directly (no shell, so no quoting and no injection), stdin fed
// from a string, stdout and stderr captured, and a deadline after which the program is killed.
// The one process runner of the project: mixnet-lab runs `ip`/`tc` batches with it, the
// coordinator runs `scontrol` (coordinator/scheduler/).
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace mixnet {

struct ProgramRun {
  std::vector<std::string> argv;            // argv[0] is searched in PATH unless it has a '/'
  std::string input;                        // written to the program's stdin, which is then closed
  std::chrono::milliseconds timeout{10'000};
  // Added to (or replacing in) the environment we pass on: SLURM_CONF=... for scontrol.
  std::vector<std::pair<std::string, std::string>> env;
  bool merge_stderr = false;                // stderr into `out` (interleaved as written) instead of `err`
};

struct ProgramResult {
  int exit_code = -1;      // -1: killed by a signal
  std::string out;         // stdout (and stderr when merged), at most 1 MiB kept
  std::string err;         // stderr, at most 1 MiB kept
};

// Runs the program to its end or to the deadline (then kills it: Errc::timeout naming argv[0]).
// The program is killed too if the calling process dies first. An argv[0] that cannot be run
// exits 127, as from a shell.
Result<ProgramResult> run_program(const ProgramRun& run);

// The same with stderr merged into `out`: the lab's `ip -batch` calls, whose errors are read whole.
Result<ProgramResult> run_program(const std::vector<std::string>& argv, const std::string& input,
                                  std::chrono::milliseconds timeout);

// `argv` as one line a POSIX shell would read back to the same words: what a dry run prints.
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace mixnet
