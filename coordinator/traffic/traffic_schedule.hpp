#pragma once
// Which traffic tests traffic.run runs together: the circle method for "all pairs" over an
// electrical switch (n-1 rounds of n/2 disjoint pairs for even n; n rounds of (n-1)/2 pairs with
// one port sitting out per round for odd n), and the packing of a list of tests into rounds in
// which no port is used twice and no agent is asked for more runs than it takes at once.
// Pure functions: no I/O, unit-tested on their own.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

// The agent takes at most this many starting or running traffic runs at once (docs/agent-api.md).
inline constexpr std::size_t kMaxRunsPerAgent = 16;

// Round-robin rounds over n players by the circle method: round r pairs player indices so that
// over all rounds every unordered pair meets exactly once, and no player appears twice in a
// round. n < 2: no rounds.
std::vector<std::vector<std::pair<std::size_t, std::size_t>>> circle_rounds(std::size_t n);

// One test: traffic between two ports, in one or both directions.
struct TrafficTest {
  std::string kind;   // "circuit" or "pair"
  PortRef a;
  PortRef b;
  bool a_to_b = true;
  bool b_to_a = false;
  [[nodiscard]] std::string id() const { return a.str() + "-" + b.str(); }   // "h1:ocs0-h2:ocs1"
  // Traffic runs (servers and clients) this test puts on `host` while it runs.
  [[nodiscard]] std::size_t runs_on(const std::string& host) const;
};

// Packs tests (indices into `tests`, kept in order) into rounds: greedily, each test goes into the
// first round where neither of its ports is used yet, its hosts stay within `max_runs_per_agent`
// and the round has fewer than `max_parallel` tests (0: no limit).
std::vector<std::vector<std::size_t>> pack_rounds(const std::vector<TrafficTest>& tests, std::size_t max_parallel,
                                                  std::size_t max_runs_per_agent = kMaxRunsPerAgent);

}  // namespace mixnet::coord
