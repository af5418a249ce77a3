#include "coordinator/health/retest_topology.hpp"

#include <fmt/format.h>

namespace mixnet::coord::health {

Result<Topology> retest_topology(const RetestRound& round, const Inventory& inventory, const std::string& name) {
  Topology topology{.name = name, .description = "retest before blame: each suspect port with a partner that passed"};
  for (std::size_t i = 0; i < round.size(); ++i) {
    auto a = PortRef::parse(round[i].a);
    if (!a) return fail(Errc::invalid_argument, fmt::format("retest pair {}: {}", i, a.error().message), "a");
    auto b = PortRef::parse(round[i].b);
    if (!b) return fail(Errc::invalid_argument, fmt::format("retest pair {}: {}", i, b.error().message), "b");
    topology.circuits.push_back(Circuit{*a, *b, 0});
  }
  if (auto ok = resolve_topology(topology, inventory); !ok) return std::unexpected(ok.error());
  return topology;
}

}  // namespace mixnet::coord::health
