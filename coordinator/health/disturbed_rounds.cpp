#include "coordinator/health/disturbed_rounds.hpp"

#include <algorithm>
#include <map>

#include "coordinator/health/baseline.hpp"

namespace mixnet::coord::health {

std::vector<DisturbedRound> disturbed_rounds(const std::vector<RoundFigure>& figures, double fraction, std::size_t min_tests) {
  std::map<std::size_t, std::vector<double>> by_round;
  for (const auto& f : figures) {
    if (f.gbps) by_round[f.round].push_back(*f.gbps);
  }
  std::vector<DisturbedRound> out;
  if (by_round.size() < 2) return out;
  for (const auto& [round, mine] : by_round) {
    if (mine.size() < std::max<std::size_t>(min_tests, 1)) continue;
    std::vector<double> others;
    for (const auto& [other, theirs] : by_round) {
      if (other != round) others.insert(others.end(), theirs.begin(), theirs.end());
    }
    if (others.size() < std::max<std::size_t>(min_tests, 1)) continue;
    const double m = median_of(mine);
    const double o = median_of(others);
    const auto slow = static_cast<std::size_t>(std::count_if(mine.begin(), mine.end(), [&](double g) { return g < fraction * o; }));
    const bool many_slow = slow >= kMinSlowTests && static_cast<double>(slow) >= kSlowShare * static_cast<double>(mine.size());
    if (m < fraction * o || many_slow) {
      out.push_back({.round = round, .median_gbps = m, .others_gbps = o, .slow = slow, .tests = mine.size()});
    }
  }
  return out;
}

}  // namespace mixnet::coord::health
