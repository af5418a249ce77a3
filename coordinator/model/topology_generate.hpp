#pragma once
// Topologies computed from the inventory rather than written out, so a playbook such as
// bring-up works on any testbed.
//
// "cover": two topologies, NAME-1 and NAME-2, that between them give every OCS-cabled port a
// circuit to a port of another host on the same switch. NAME-1 is a largest matching across
// hosts (ports sorted by host, port i paired with port i + n/2, which crosses hosts whenever no
// host holds more than half of a switch's ports); NAME-2 first pairs the ports NAME-1 left out,
// then as many others as it can with a peer they did not have in NAME-1, so most ports are
// proven against two different peers. An error names the switch and host when two topologies
// cannot cover every port (one host holding more than two thirds of a switch's ports), and a
// switch with a single cabled port.
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"

namespace mixnet::coord {

// The generators a topology file may name in `generate:`.
inline constexpr const char* kGenerators = "cover";

// Unresolved topologies (circuits only); the caller resolves them like written ones. With a
// region, only that region's switches' ports (an unknown region is an error naming `region`).
Result<std::vector<Topology>> generate_cover(const std::string& name, const Inventory& inventory, const std::string& region = {});

}  // namespace mixnet::coord
