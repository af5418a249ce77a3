// Demand-blind generators, for comparison and tests: a ring, and the circle method's rounds.
#include <algorithm>

#include <fmt/format.h>

#include "coordinator/topogen/generators.hpp"
#include "coordinator/topogen/port_pool.hpp"

namespace mixnet::coord::topogen {

Result<Topology> generate_ring(const std::string& name, const Inventory& inventory, const std::string& region) {
  auto pool = PortPool::from_inventory(inventory, region, fmt::format("topology generate ring '{}'", name));
  if (!pool) return std::unexpected(pool.error());
  const auto hosts = pool->hosts();
  Topology t{.name = name, .description = "generated: ring (each host to the next, inventory order)", .region = region};
  const std::size_t n = hosts.size();
  const std::size_t links = n < 2 ? 0 : (n == 2 ? 1 : n);
  for (std::size_t i = 0; i < links; ++i) {
    if (auto c = pool->take(hosts[i], hosts[(i + 1) % n])) t.circuits.push_back(std::move(*c));
  }
  return t;
}

Result<std::vector<Topology>> generate_round_robin(const std::string& name, const Inventory& inventory, const std::string& region) {
  const auto what = fmt::format("topology generate round-robin '{}'", name);
  auto first = PortPool::from_inventory(inventory, region, what);
  if (!first) return std::unexpected(first.error());
  // The circle method: slot 0 stays put, the others turn one place per round; slot k meets slot
  // m-1-k. An odd count gets an empty slot (its partner idles that round).
  std::vector<std::string> slots = first->hosts();
  if (slots.size() < 2) {
    return fail(Errc::invalid_argument, fmt::format("{}: {} host(s) with OCS ports in scope: rounds need two", what, slots.size()), "region");
  }
  if (slots.size() % 2 == 1) slots.emplace_back();
  const std::size_t m = slots.size();
  std::vector<Topology> rounds;
  for (std::size_t r = 0; r + 1 < m; ++r) {
    auto pool = *first;   // every round starts with every port free
    Topology t{.name = fmt::format("{}-{}", name, r + 1),
               .description = fmt::format("generated: round-robin, round {} of {}", r + 1, m - 1),
               .region = region};
    for (std::size_t k = 0; k < m / 2; ++k) {
      const auto& a = slots[k];
      const auto& b = slots[m - 1 - k];
      if (a.empty() || b.empty()) continue;
      if (auto c = pool.take(a, b)) t.circuits.push_back(std::move(*c));
    }
    rounds.push_back(std::move(t));
    std::rotate(slots.begin() + 1, slots.end() - 1, slots.end());
  }
  return rounds;
}

}  // namespace mixnet::coord::topogen
