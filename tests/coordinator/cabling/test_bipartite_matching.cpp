// The matching each loopback round is made of: a matching (no vertex twice, only given edges),
// maximum (checked against an exhaustive search on small random graphs), and covering every vertex
// of the largest degree on both sides, the property that bounds the rounds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "coordinator/cabling/bipartite_matching.hpp"

using namespace mixnet::coord::cabling;

namespace {

// The largest matching, by trying every choice: fine for 7 x 7.
int exhaustive_matching_size(const std::vector<std::vector<int>>& adjacency, std::size_t left, std::vector<char>& used) {
  if (left == adjacency.size()) return 0;
  int best = exhaustive_matching_size(adjacency, left + 1, used);
  for (const int r : adjacency[left]) {
    if (used[static_cast<std::size_t>(r)] != 0) continue;
    used[static_cast<std::size_t>(r)] = 1;
    best = std::max(best, 1 + exhaustive_matching_size(adjacency, left + 1, used));
    used[static_cast<std::size_t>(r)] = 0;
  }
  return best;
}

}  // namespace

TEST_CASE("busiest_first_matching: maximum, and covers every vertex of the largest degree", "[coord][cabling][matching]") {
  std::mt19937_64 random(7);
  for (int trial = 0; trial < 400; ++trial) {
    const int left = 1 + static_cast<int>(random() % 7);
    const int right = 1 + static_cast<int>(random() % 7);
    const double density = 0.15 + 0.8 * static_cast<double>(random() % 100) / 100.0;
    std::bernoulli_distribution edge(density);
    std::vector<std::vector<int>> adjacency(static_cast<std::size_t>(left));
    std::vector<int> right_degree(static_cast<std::size_t>(right), 0);
    for (auto& row : adjacency) {
      for (int r = 0; r < right; ++r) {
        if (edge(random)) {
          row.push_back(r);
          ++right_degree[static_cast<std::size_t>(r)];
        }
      }
      std::shuffle(row.begin(), row.end(), random);
    }
    const auto match = busiest_first_matching(adjacency, right);
    REQUIRE(match.size() == adjacency.size());

    std::set<int> taken;
    int size = 0;
    for (std::size_t l = 0; l < match.size(); ++l) {
      if (match[l] == kUnmatched) continue;
      CHECK(std::find(adjacency[l].begin(), adjacency[l].end(), match[l]) != adjacency[l].end());
      CHECK(taken.insert(match[l]).second);
      ++size;
    }
    std::vector<char> used(static_cast<std::size_t>(right), 0);
    CHECK(size == exhaustive_matching_size(adjacency, 0, used));

    std::size_t largest = 0;
    for (const auto& row : adjacency) largest = std::max(largest, row.size());
    for (const int d : right_degree) largest = std::max(largest, static_cast<std::size_t>(d));
    if (largest == 0) continue;
    for (std::size_t l = 0; l < adjacency.size(); ++l) {
      if (adjacency[l].size() == largest) CHECK(match[l] != kUnmatched);
    }
    for (int r = 0; r < right; ++r) {
      if (static_cast<std::size_t>(right_degree[static_cast<std::size_t>(r)]) == largest) CHECK(taken.contains(r));
    }
  }
}

TEST_CASE("busiest_first_matching: a plain greedy choice would strand the busy vertex", "[coord][cabling][matching]") {
  // Left 0 prefers right 0, which is left 1's only edge; a maximum matching takes left 0 to 1.
  const auto match = busiest_first_matching({{0, 1}, {0}}, 2);
  CHECK(match == std::vector<int>{1, 0});
  // Output 2 is the busiest vertex (degree 3): it must be tested this round.
  const auto busy = busiest_first_matching({{0, 2}, {1, 2}, {2, 3}}, 4);
  CHECK(std::count(busy.begin(), busy.end(), 2) == 1);
  CHECK(std::count(busy.begin(), busy.end(), kUnmatched) == 0);
}
