#pragma once
// Inventories and demand matrices for the generator tests, written as YAML and read with the
// real reader, so the generators see exactly what a file would give them.
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace topogen_test {

struct SwitchSpec {
  std::string name;
  std::string region;   // empty: the switch's own name
};

struct HostSpec {
  std::string name;
  std::vector<std::string> ocs_switches;   // one OCS port per entry, on that switch
  int eps_ports = 1;
  std::optional<long long> speed_mbps;     // every port's expect.speed_mbps
  bool unmapped = false;                   // OCS ports as `ocs: {switch: S}` alone
};

mixnet::coord::Inventory make_topogen_inventory(const std::vector<HostSpec>& hosts, const std::vector<SwitchSpec>& switches);
// Hosts h1..hN, each with `ports` OCS ports on one switch s.
mixnet::coord::Inventory uniform_inventory(int hosts, int ports);
// A random inventory: 2..8 hosts, 1..3 switches (regions r1, r2), 0..3 ports per host and switch.
mixnet::coord::Inventory random_inventory(std::mt19937& rng);
// Demand among `hosts`: each ordered pair non-zero with probability 1/2, 1..1e9 bytes.
mixnet::coord::topogen::DemandMatrix random_demand(const std::vector<std::string>& hosts, std::mt19937& rng);
mixnet::coord::topogen::DemandMatrix demand_of(const std::vector<std::string>& hosts, const std::vector<std::vector<double>>& bytes);

// Circuits per unordered host pair ("h1|h2", names sorted).
std::map<std::string, int> circuits_per_pair(const mixnet::coord::Topology& topology);

}  // namespace topogen_test
