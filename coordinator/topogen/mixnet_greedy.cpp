// MixNet's greedy circuit allocation (docs/topologies.md, "mixnet"; MixNet, SIGCOMM 2025).
#include <queue>

#include <fmt/format.h>

#include "coordinator/topogen/generators.hpp"
#include "coordinator/topogen/port_pool.hpp"

namespace mixnet::coord::topogen {

namespace {

struct GreedyPair {
  double weight;        // demand / (circuits + 1)
  std::size_t i, j;     // host indices in inventory order, i < j
  int circuits;
};

// The heaviest first; on equal weight the pair that comes first in inventory order.
struct GreedyPairLess {
  bool operator()(const GreedyPair& x, const GreedyPair& y) const {
    if (x.weight != y.weight) return x.weight < y.weight;
    if (x.i != y.i) return x.i > y.i;
    return x.j > y.j;
  }
};

}  // namespace

Result<Topology> generate_mixnet(const std::string& name, const DemandMatrix& demand, const Inventory& inventory, const std::string& region) {
  auto scope = demand_scope(demand, inventory, region, fmt::format("topology generate mixnet '{}'", name));
  if (!scope) return std::unexpected(scope.error());
  auto& pool = scope->pool;
  const auto& hosts = pool.hosts();
  const auto& w = scope->weights;

  std::priority_queue<GreedyPair, std::vector<GreedyPair>, GreedyPairLess> queue;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    for (std::size_t j = i + 1; j < hosts.size(); ++j) {
      if (w[i][j] > 0) queue.push({w[i][j], i, j, 0});
    }
  }
  Topology t{.name = name, .description = fmt::format("generated: mixnet greedy from {}", demand.source), .region = region};
  // Ports only ever get taken, so a pair that cannot have a circuit now never can: it leaves the
  // queue for good, and the loop ends when no pair could get another circuit.
  while (!queue.empty()) {
    auto top = queue.top();
    queue.pop();
    auto circuit = pool.take(hosts[top.i], hosts[top.j]);
    if (!circuit) continue;
    t.circuits.push_back(std::move(*circuit));
    top.circuits += 1;
    top.weight = w[top.i][top.j] / (top.circuits + 1);
    queue.push(top);
  }
  return t;
}

}  // namespace mixnet::coord::topogen
