#pragma once
// How each port fared with each partner over every bandwidth test of a run (first pass and
// retests). blame() and plan_retest() both judge from this one tally, so they agree on what
// "failed with two partners" and "passed with others" mean.
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

// "h1" of "h1:ocs0" (the text before the first colon; the whole text when there is none).
[[nodiscard]] std::string host_of(std::string_view port);

// A pair's outcome is that of the latest round it was tested in (within one round, a failure
// wins). Only a same-pair retest tests a pair again (retest_plan.hpp): a pair that failed and then
// passed its retest counts as passed, its first failure a transient one (the run keeps both tests).
struct PortTally {
  std::set<std::string> failed_with;   // partners of a pair whose latest test failed
  std::set<std::string> passed_with;   // partners of a pair whose latest test passed
};

class PairTally {
 public:
  // Tests with an end on an unreachable host are left out: a dead agent's failures count against
  // nobody but its own host. Tests of a port with itself are left out as malformed.
  PairTally(const std::vector<PairTest>& tests, const std::set<std::string>& unreachable_hosts);

  [[nodiscard]] const std::map<std::string, PortTally>& ports() const { return ports_; }
  // The port's tally; an empty one for a port never tested.
  [[nodiscard]] const PortTally& of(const std::string& port) const;
  [[nodiscard]] bool tested(const std::string& port) const { return ports_.contains(port); }
  // The pair's outcome so far: true when its latest test failed.
  [[nodiscard]] bool pair_failed(const std::string& a, const std::string& b) const;
  [[nodiscard]] bool paired(const std::string& a, const std::string& b) const;
  // How many tests the pair had (either way round).
  [[nodiscard]] int times_tested(const std::string& a, const std::string& b) const;
  // Failed partners of `port` that passed with someone else (so the failure is not theirs), less
  // those in `explained` (parts blamed on their own evidence).
  [[nodiscard]] std::set<std::string> credible_failures(const std::string& port, const std::set<std::string>& explained = {}) const;

 private:
  struct PairRecord {
    int latest_round = -1;
    bool latest_failed = false;
    int tests = 0;
  };
  [[nodiscard]] const PairRecord* record(const std::string& a, const std::string& b) const;

  std::map<std::string, PortTally> ports_;
  std::map<std::pair<std::string, std::string>, PairRecord> pairs_;   // key: the two ports, sorted
};

}  // namespace mixnet::coord::health
