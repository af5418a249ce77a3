#pragma once
// The same circuits between the same hosts, on the ports already patched where possible: what
// "apply with the fewest changes" needs from a generator. A generator hands ports out in
// inventory order as it meets pairs, so two layers that want the same host pairs may still name
// different ports, and every such circuit would be broken and made again for nothing. Ports of
// one host on one switch are interchangeable (any input reaches any output), so a wanted circuit
// between hosts A and B on switch S may take the ports of a circuit A-B on S that is in place.
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"

namespace mixnet::coord::topogen {

// `wanted` with its ports reassigned: per switch and host pair, as many of its circuits as
// `in_place` has between those hosts on that switch keep in_place's ports; the others take the
// hosts' remaining ports on that switch, in inventory order. Circuits per host pair and switch,
// and the ports each host uses per switch, are as many as in `wanted`. Both topologies'
// circuits name inventory ports cabled to an OCS; the result is unresolved (circuits only, the
// name, description and region of `wanted`).
Topology reuse_circuits(const Topology& wanted, const Topology& in_place, const Inventory& inventory);

}  // namespace mixnet::coord::topogen
