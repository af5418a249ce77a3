#include "tests/support/busy_processes.hpp"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mixnet::testing {

namespace {

// The child: only async-signal-safe calls (it was forked from a process that may have threads).
[[noreturn]] void spin(std::chrono::seconds cap) {
  sched_param normal{};
  (void)sched_setscheduler(0, SCHED_OTHER, &normal);   // not the parent's policy, if it had one
  (void)setpriority(PRIO_PROCESS, 0, 0);
  (void)prctl(PR_SET_PDEATHSIG, SIGKILL);               // the test process died: stop at once
  (void)alarm(static_cast<unsigned>(cap.count()));     // SIGALRM's default action ends it
  volatile unsigned long n = 0;
  for (;;) n = n + 1;
}

}  // namespace

BusyProcesses::BusyProcesses(int count, std::chrono::seconds cap) {
  for (int i = 0; i < count; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      stop_all();
      throw std::runtime_error("BusyProcesses: fork failed");
    }
    if (pid == 0) spin(cap);
    pids_.push_back(pid);
  }
}

BusyProcesses::~BusyProcesses() { stop_all(); }

void BusyProcesses::stop_all() {
  for (const pid_t pid : pids_) ::kill(pid, SIGKILL);
  for (const pid_t pid : pids_) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pids_.clear();
}

int BusyProcesses::running() const {
  int n = 0;
  for (const pid_t pid : pids_) {
    // Field 3 of /proc/PID/stat is the state: R (running) for a spinner that holds or waits for a
    // core; Z or a missing file when it ended.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'R') ++n;
  }
  return n;
}

}  // namespace mixnet::testing
