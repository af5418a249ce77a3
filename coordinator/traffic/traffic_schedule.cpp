#include "coordinator/traffic/traffic_schedule.hpp"

#include <map>
#include <numeric>
#include <set>

namespace mixnet::coord {

std::vector<std::vector<std::pair<std::size_t, std::size_t>>> circle_rounds(std::size_t n) {
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> rounds;
  if (n < 2) return rounds;
  // Odd n: a phantom player (index n) makes it even; whoever meets it sits the round out.
  const std::size_t m = n % 2 == 0 ? n : n + 1;
  std::vector<std::size_t> ring(m);
  std::iota(ring.begin(), ring.end(), 0);
  for (std::size_t r = 0; r + 1 < m; ++r) {
    std::vector<std::pair<std::size_t, std::size_t>> round;
    for (std::size_t i = 0; i < m / 2; ++i) {
      const std::size_t x = ring[i];
      const std::size_t y = ring[m - 1 - i];
      if (x >= n || y >= n) continue;
      round.emplace_back(std::min(x, y), std::max(x, y));
    }
    rounds.push_back(std::move(round));
    // Player 0 stays; the others turn one place.
    const std::size_t last = ring[m - 1];
    for (std::size_t i = m - 1; i > 1; --i) ring[i] = ring[i - 1];
    ring[1] = last;
  }
  return rounds;
}

std::size_t TrafficTest::runs_on(const std::string& host) const {
  std::size_t n = 0;
  // Each direction puts a client on its sender's host and a server on its receiver's host.
  if (a_to_b) n += (a.host == host ? 1 : 0) + (b.host == host ? 1 : 0);
  if (b_to_a) n += (a.host == host ? 1 : 0) + (b.host == host ? 1 : 0);
  return n;
}

std::vector<std::vector<std::size_t>> pack_rounds(const std::vector<TrafficTest>& tests, std::size_t max_parallel,
                                                  std::size_t max_runs_per_agent) {
  struct Round {
    std::vector<std::size_t> tests;
    std::set<PortRef> ports;
    std::map<std::string, std::size_t> runs;
  };
  std::vector<Round> rounds;
  for (std::size_t t = 0; t < tests.size(); ++t) {
    const TrafficTest& test = tests[t];
    const auto fits = [&](const Round& r) {
      if (max_parallel != 0 && r.tests.size() >= max_parallel) return false;
      if (r.ports.contains(test.a) || r.ports.contains(test.b)) return false;
      for (const std::string& h : {test.a.host, test.b.host}) {
        const auto it = r.runs.find(h);
        const std::size_t have = it == r.runs.end() ? 0 : it->second;
        // A test alone in a round always fits: it cannot be split further.
        if (!r.tests.empty() && have + test.runs_on(h) > max_runs_per_agent) return false;
      }
      return true;
    };
    Round* home = nullptr;
    for (auto& r : rounds) {
      if (fits(r)) {
        home = &r;
        break;
      }
    }
    if (home == nullptr) home = &rounds.emplace_back();
    home->tests.push_back(t);
    home->ports.insert(test.a);
    home->ports.insert(test.b);
    home->runs[test.a.host] += test.runs_on(test.a.host);
    if (test.b.host != test.a.host) home->runs[test.b.host] += test.runs_on(test.b.host);
  }
  std::vector<std::vector<std::size_t>> out;
  for (auto& r : rounds) out.push_back(std::move(r.tests));
  return out;
}

}  // namespace mixnet::coord
