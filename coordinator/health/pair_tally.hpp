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

struct PortTally {
  std::set<std::string> failed_with;   // partners of a pair whose test failed (once is enough)
  std::set<std::string> passed_with;   // partners of a pair whose every test passed
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
  // The pair's outcome so far: true when some test between them failed.
  [[nodiscard]] bool pair_failed(const std::string& a, const std::string& b) const;
  [[nodiscard]] bool paired(const std::string& a, const std::string& b) const;
  // Failed partners of `port` that passed with someone else (so the failure is not theirs), less
  // those in `explained` (parts blamed on their own evidence).
  [[nodiscard]] std::set<std::string> credible_failures(const std::string& port, const std::set<std::string>& explained = {}) const;

 private:
  std::map<std::string, PortTally> ports_;
};

}  // namespace mixnet::coord::health
