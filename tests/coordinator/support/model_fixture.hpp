#pragma once
// An inventory and its topologies parsed from YAML text, for modules' unit tests: each test file
// keeps its own texts, the parsing (and the REQUIREs that it worked) is here once.
#include <catch2/catch.hpp>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"

namespace mixnet::coord::testing {

struct ModelFixture {
  Inventory inventory;
  TopologySet topologies;
  ModelFixture(const char* inventory_yaml, const char* topologies_yaml) {
    auto inv = parse_inventory(inventory_yaml, "inv.yaml", "");
    REQUIRE(inv.has_value());
    inventory = *inv;
    auto t = parse_topology_text(topologies_yaml, "topo.yaml", inventory);
    REQUIRE(t.has_value());
    for (auto& topo : *t) REQUIRE(topologies.add(std::move(topo)).has_value());
  }
};

}  // namespace mixnet::coord::testing
