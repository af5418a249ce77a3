#pragma once
// What the health checks of one run found so far, kept in the run's state (RunState::health) so
// that each check (hosts, counters, power, traffic rounds, retests) adds typed records and the
// last step (rules, blame, reports, scheduler) reads them all. Thread-safe: checks add from their
// worker threads.
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "coordinator/health/carrier_account.hpp"
#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {
struct RunState;
}

namespace mixnet::coord::health {

class HealthLedger {
 public:
  void add(Observation o);
  void add(PairTest t);
  void add(Finding f);
  // A host whose agent did not answer: blamed as a host; failures of its peers' tests against it
  // are not counted against those peers.
  void add_unreachable(const std::string& host);
  // A port's carrier changes around a re-patch or a test (health.bandwidth), for health.counters.
  void add(CarrierWindow w);
  // Judges every test through `via` (circuits, or electrical pairs) kept so far that still
  // passes against all the figures kept so far (judge_against_peers): cover-1 was judged before
  // cover-2 existed. The retest step calls it for its own fabric before it plans, so that what it
  // retests and what the report reads agree; another fabric's verdicts it leaves alone (it
  // could not retest them any more).
  void rejudge_tests(double peer_fraction, PartKind via);

  struct Snapshot {
    std::vector<Observation> observations;
    std::vector<PairTest> tests;
    std::vector<Finding> findings;
    std::set<std::string> unreachable_hosts;
    std::vector<CarrierWindow> carrier_windows;
  };
  [[nodiscard]] Snapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  Snapshot data_;
};

// The run's ledger, made on first use.
HealthLedger& ledger_of(RunState& state);

}  // namespace mixnet::coord::health
