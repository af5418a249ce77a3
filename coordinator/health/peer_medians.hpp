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
  // The median over the parts of `kind` and `figure` other than `part`.
  [[nodiscard]] Peers of(PartKind kind, const std::string& figure, const std::string& part) const;

 private:
  std::map<std::pair<PartKind, std::string>, std::map<std::string, double>> per_part_;   // (kind, figure) -> part -> median
};

}  // namespace mixnet::coord::health
