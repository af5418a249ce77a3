#pragma once
// Rounds of traffic tests that ran slow as a whole. The peer rule (pair_judgement.hpp) fails a
// path far below the run's median; when every path of a round falls together, the cause is beside
// the tests (the hosts' CPUs taken by something else, a switch-wide stall), and each port would
// otherwise collect failures with several partners and be blamed for it. Such a round is measured
// again before anything is judged (health.bandwidth). Pure: figures in, round numbers out.
#include <cstddef>
#include <optional>
#include <vector>

namespace mixnet::coord::health {

struct RoundFigure {
  std::size_t round = 0;          // the traffic round the test ran in
  std::optional<double> gbps;     // the test's figure (none: it measured nothing)
};

struct DisturbedRound {
  std::size_t round = 0;
  double median_gbps = 0;         // the round's own median
  double others_gbps = 0;         // the median of the other rounds' tests
  std::size_t slow = 0;           // its tests under fraction x others_gbps
  std::size_t tests = 0;          // its tests with a figure
};

// A fault of one port or host slows the one or two tests it takes part in per round; more than
// that at once is the round's, not a port's.
inline constexpr std::size_t kMinSlowTests = 3;
inline constexpr double kSlowShare = 0.1;

// The rounds whose median is under `fraction` x the median of every test in the other rounds, or
// with at least kMinSlowTests, and at least kSlowShare of its tests, under that floor. A round
// needs at least `min_tests` figures, and the other rounds together as many, to be judged; with a
// single round there is nothing to compare with and nothing is returned.
[[nodiscard]] std::vector<DisturbedRound> disturbed_rounds(const std::vector<RoundFigure>& figures, double fraction,
                                                           std::size_t min_tests);

}  // namespace mixnet::coord::health
