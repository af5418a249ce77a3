#pragma once
// The peer-relative reference of a run (ClusterKit's "poor performance with all other nodes"):
// each part's median figure, and for one part the median over the other parts of the same kind
// and figure. One definition for the rules' peers form (rules.cpp) and health.bandwidth's
// judgement of its tests as they are measured (pair_judgement.cpp), so the two agree.
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

class PeerMedians {
 public:
  // Every observation with a value counts; callers pass only those they judge against.
  explicit PeerMedians(const std::vector<Observation>& observations);

  struct Peers {
    double median = 0;
    std::size_t count = 0;   // other parts measured; 0: median means nothing
  };
  // The median over the parts of `kind` and `figure` other than `part`. O(log parts): a night
  // asks it for each of its thousands of paths.
  [[nodiscard]] Peers of(PartKind kind, const std::string& figure, const std::string& part) const;

 private:
  struct Figure {
    std::map<std::string, double> per_part;   // part -> its median
    std::vector<double> sorted;               // the same medians, ascending
  };
  std::map<std::pair<PartKind, std::string>, Figure> figures_;   // (kind, figure)
};

// Which figure of a path (circuit or electrical pair) counts, when a same-pair retest measured it
// again. `observations` in ledger order; other observations pass through unchanged.
//
// current_figures: what the rules judge, a path's latest bandwidth figure (a pair's outcome is its
// latest test's, pair_tally.hpp).
// first_figures: what a path's peers are: the first pass's bandwidth figures (not retests), each
// path's first with a value. Retests are made because a test failed, and run with fewer tests at
// once (on the lab's shared cores, and on shared links, each then gets more), so their figures are
// no sample of the run: the reference stays the first pass, and a retest step and the report judge
// a figure against the same median.
[[nodiscard]] std::vector<Observation> current_figures(const std::vector<Observation>& observations);
[[nodiscard]] std::vector<Observation> first_figures(const std::vector<Observation>& observations);

}  // namespace mixnet::coord::health
