#pragma once
// Processes that keep cores busy while a test runs: the load a training job puts on a testbed
// host, for tests that must hold a timing bound with every core taken. Each one spins in a loop
// at normal priority (SCHED_OTHER, nice 0), whatever the test process runs at.
//
// Bounded twice: the destructor kills and reaps them (also when the test fails or throws), and
// each one ends itself after `cap` even if this process dies without running the destructor.
#include <chrono>
#include <sys/types.h>
#include <vector>

namespace mixnet::testing {

class BusyProcesses {
 public:
  BusyProcesses(int count, std::chrono::seconds cap);
  ~BusyProcesses();
  BusyProcesses(const BusyProcesses&) = delete;
  BusyProcesses& operator=(const BusyProcesses&) = delete;

  // How many are still spinning now (not exited, not a zombie): a test checks this after its
  // timed part, to show the load was there throughout.
  [[nodiscard]] int running() const;

 private:
  void stop_all();   // SIGKILL and reap every one
  std::vector<pid_t> pids_;
};

}  // namespace mixnet::testing
