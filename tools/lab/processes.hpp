#pragma once
// Running programs (`ip`, `tc`, the agents, the emulator) and finding, proving and stopping the
// lab's own processes. Nothing here kills by name: a process is the lab's only when it runs in one
// of the lab's namespaces or its command line names the lab (see is_lab_process).
#include <chrono>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

#include "common/result.hpp"
#include "common/subprocess.hpp"

namespace mixnet::lab {

// Short-lived programs (`ip`/`tc` batches) run with common/subprocess.hpp's run_program.

// Starts a long-running process in its own session (it outlives us), stdin from /dev/null,
// stdout and stderr appended to `log_path`. Returns its pid.
Result<pid_t> spawn_daemon(const std::vector<std::string>& argv, const std::string& log_path);

// The command line of a process as its arguments; empty when it is gone.
std::vector<std::string> process_cmdline(pid_t pid);

// The inode of a process's network namespace (0 when unreadable), and of a named namespace.
unsigned long process_netns_inode(pid_t pid);
unsigned long named_netns_inode(const std::string& netns);

// Processes that belong to lab `name`: running in one of `netns_inodes`, or with an argument
// starting with the lab prefix "mxl-<name>-" (an `ip netns exec` into a lab namespace that has
// not exec'd its program yet, an `ip -n`/`tc -n` batch; the lab's emulator, whose command line
// carries "--serial mxl-<name>-ocs"), or a pid the state file recorded whose command line still
// names `dir`. Never the calling process.
std::set<pid_t> find_lab_processes(const std::string& name, const std::string& dir,
                                   const std::set<unsigned long>& netns_inodes,
                                   const std::vector<pid_t>& recorded);

// SIGTERM, wait up to `grace`, then SIGKILL and wait (bounded) until they are gone. Returns how
// many were signalled.
std::size_t stop_processes(const std::set<pid_t>& pids, std::chrono::milliseconds grace);

bool process_alive(pid_t pid);

}  // namespace mixnet::lab
