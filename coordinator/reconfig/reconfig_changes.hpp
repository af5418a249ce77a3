#pragma once
// What a switch from one topology to another changes, for measure.reconfig: the ports whose
// carrier goes, the circuits that are made, and each port's peer.
#include <optional>
#include <string>
#include <vector>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"

namespace mixnet::coord {

// The ports a switch from `from` (nullptr: unknown, every port of `to` counts) to `to` changes:
// both ends of every circuit of `to` that `from` lacks, then of every circuit of `from` that `to`
// drops (a circuit is the same whichever end is named first). Each port once, in that order.
std::vector<PortRef> changing_ports(const Topology* from, const Topology& to);

// The circuits of `to` that `from` (nullptr: none) does not have: the ones a repetition makes.
std::vector<Circuit> new_circuits(const Topology* from, const Topology& to);

// The other end of `p`'s circuit in `t`; nullopt when `t` leaves it unconnected (or t is null).
std::optional<PortRef> peer_in(const Topology* t, const PortRef& p);

// The switch a port is cabled to (empty: none).
std::string switch_of(const Inventory& inv, const PortRef& p);

}  // namespace mixnet::coord
