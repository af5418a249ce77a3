#pragma once
// Which OCS switches and switch ports the inventory cables hosts to: the ports a run may change
// (apply_plan.hpp calls them "ours") and the switches ocs.apply, ocs.clear and measure.reconfig
// drive.
#include <set>
#include <string>
#include <vector>

#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord {

struct Inventory;

// The switch ports the inventory cables to `switch_name` (tx, rx and port of every host port).
// Ports without their map add nothing: a caller that must know all of a switch's ports checks
// Inventory::unmapped_ocs_ports first (apply_topology.hpp, ocs.clear).
std::set<ocs::PortId> inventory_switch_ports(const Inventory& inventory, const std::string& switch_name);
// The OCS switches the inventory cables at least one port to, mapped or not, in inventory order.
std::vector<std::string> cabled_ocs_switches(const Inventory& inventory);

}  // namespace mixnet::coord
