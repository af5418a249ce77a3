// Rounds of a heavy matching on the demand (docs/topologies.md, "matching").
#include <algorithm>

#include <fmt/format.h>

#include "coordinator/topogen/generators.hpp"
#include "coordinator/topogen/port_pool.hpp"

namespace mixnet::coord::topogen {

namespace {

using MatchedPair = std::pair<std::size_t, std::size_t>;

double matching_weight_of(const std::vector<std::vector<double>>& w, const MatchedPair& p) { return w[p.first][p.second]; }

bool matching_edge_ok(const std::vector<std::vector<double>>& w, const std::vector<std::vector<bool>>& allowed, std::size_t a, std::size_t b) {
  return a != b && allowed[a][b] && w[a][b] > 0;
}

}  // namespace

std::vector<MatchedPair> swap_matching(const std::vector<std::vector<double>>& w, const std::vector<std::vector<bool>>& allowed) {
  const std::size_t n = w.size();
  // Greedy: heaviest pair first (ties: inventory order), each vertex once. At least half the
  // maximum weight.
  std::vector<MatchedPair> edges;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (matching_edge_ok(w, allowed, i, j)) edges.emplace_back(i, j);
    }
  }
  std::stable_sort(edges.begin(), edges.end(), [&](const MatchedPair& x, const MatchedPair& y) { return matching_weight_of(w, x) > matching_weight_of(w, y); });
  std::vector<bool> used(n, false);
  std::vector<MatchedPair> matched;
  for (const auto& [i, j] : edges) {
    if (used[i] || used[j]) continue;
    used[i] = used[j] = true;
    matched.emplace_back(i, j);
  }
  // Improvement by swaps: for vertices a and c (each matched or free, to b and d), replace (a,b)
  // and (c,d) by (a,c) and (b,d), or, when c was free, (a,b) by (a,c) and (b,e) with e free,
  // whenever that weighs more (two free vertices that can be joined are joined). Each swap raises
  // the total strictly, so it ends; the passes are bounded anyway.
  std::vector<std::size_t> partner(n, n);
  for (const auto& [i, j] : matched) partner[i] = j, partner[j] = i;
  auto pair_weight = [&](std::size_t a, std::size_t b) { return a < n && b < n && matching_edge_ok(w, allowed, a, b) ? w[a][b] : -1.0; };
  auto current = [&](std::size_t a) { return partner[a] < n ? w[a][partner[a]] : 0.0; };
  for (int pass = 0; pass < 1000; ++pass) {
    bool improved = false;
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t c = 0; c < n; ++c) {
        if (c == a || partner[a] == c) continue;
        const double ac = pair_weight(a, c);
        if (ac < 0) continue;
        const std::size_t b = partner[a];   // n: a is free
        const std::size_t d = partner[c];
        const double before = current(a) + current(c);
        // b's new partner: d when both were matched; when c was free, the best free vertex (an
        // augmenting path of three edges: b-e, a-c in, a-b out).
        std::size_t e = n;
        double be = 0;
        if (b < n && d < n) {
          if (pair_weight(b, d) > 0) e = d, be = pair_weight(b, d);
        } else if (b < n) {
          for (std::size_t x = 0; x < n; ++x) {
            if (partner[x] != n || x == c || x == b) continue;
            if (const double wx = pair_weight(b, x); wx > be) e = x, be = wx;
          }
        }
        if (ac + be <= before * (1 + 1e-12)) continue;
        if (b < n) partner[b] = n;
        if (d < n) partner[d] = n;
        partner[a] = c;
        partner[c] = a;
        if (e < n) partner[b] = e, partner[e] = b;
        improved = true;
      }
    }
    if (!improved) break;
  }
  matched.clear();
  for (std::size_t i = 0; i < n; ++i) {
    if (partner[i] < n && i < partner[i]) matched.emplace_back(i, partner[i]);
  }
  return matched;
}

std::vector<MatchedPair> exact_matching(const std::vector<std::vector<double>>& w, const std::vector<std::vector<bool>>& allowed) {
  const std::size_t n = w.size();
  if (n > 20) return swap_matching(w, allowed);   // 2^n states: not for large n
  // best[mask]: the heaviest matching among the vertices of mask. Its lowest vertex i is either
  // left free or matched to some j in mask; choice[mask] remembers which (n: free).
  const std::size_t states = std::size_t{1} << n;
  std::vector<double> best(states, 0.0);
  std::vector<std::size_t> choice(states, n);
  for (std::size_t mask = 1; mask < states; ++mask) {
    std::size_t i = 0;
    while (((mask >> i) & 1U) == 0) ++i;
    const std::size_t rest = mask & ~(std::size_t{1} << i);
    best[mask] = best[rest];
    for (std::size_t j = i + 1; j < n; ++j) {
      if (((rest >> j) & 1U) == 0 || !matching_edge_ok(w, allowed, i, j)) continue;
      const double with_j = w[i][j] + best[rest & ~(std::size_t{1} << j)];
      if (with_j > best[mask]) best[mask] = with_j, choice[mask] = j;
    }
  }
  std::vector<MatchedPair> matched;
  for (std::size_t mask = states - 1; mask != 0;) {
    std::size_t i = 0;
    while (((mask >> i) & 1U) == 0) ++i;
    const std::size_t j = choice[mask];
    mask &= ~(std::size_t{1} << i);
    if (j < n) {
      matched.emplace_back(i, j);
      mask &= ~(std::size_t{1} << j);
    }
  }
  std::sort(matched.begin(), matched.end());
  return matched;
}

std::vector<MatchedPair> heavy_matching(const std::vector<std::vector<double>>& w, const std::vector<std::vector<bool>>& allowed) {
  return w.size() <= kExactMatchingHosts ? exact_matching(w, allowed) : swap_matching(w, allowed);
}

Result<Topology> generate_matching(const std::string& name, const DemandMatrix& demand, const Inventory& inventory, const std::string& region) {
  auto scope = demand_scope(demand, inventory, region, fmt::format("topology generate matching '{}'", name));
  if (!scope) return std::unexpected(scope.error());
  auto& pool = scope->pool;
  const auto& hosts = pool.hosts();
  const auto& demand_w = scope->weights;
  const std::size_t n = hosts.size();
  std::vector<std::vector<int>> circuits(n, std::vector<int>(n, 0));
  Topology t{.name = name, .description = fmt::format("generated: rounds of a heavy matching on {}", demand.source), .region = region};
  // Each round is a matching, so a host takes at most one port per round and every pair the
  // round picks can still be joined when it is made.
  while (true) {
    std::vector<std::vector<double>> w(n, std::vector<double>(n, 0.0));
    std::vector<std::vector<bool>> allowed(n, std::vector<bool>(n, false));
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        w[i][j] = demand_w[i][j] / (circuits[i][j] + 1);
        allowed[i][j] = pool.can_join(hosts[i], hosts[j]);
      }
    }
    const auto round = heavy_matching(w, allowed);
    if (round.empty()) break;
    for (const auto& [i, j] : round) {
      auto c = pool.take(hosts[i], hosts[j]);
      if (!c) continue;   // cannot happen (see above); a pair left out is harmless
      t.circuits.push_back(std::move(*c));
      circuits[i][j] += 1;
      circuits[j][i] += 1;
    }
  }
  return t;
}

}  // namespace mixnet::coord::topogen
