#pragma once
// The parts of a BlameInput that come from the inventory rather than from the run: which NIC
// ports each host has under test, and which NIC port sits behind each switch port.
#include <map>
#include <string>
#include <vector>

#include "coordinator/model/inventory.hpp"

namespace mixnet::coord::health {

// host -> "host:port" of every NIC port cabled to a switch (OCS or electrical), inventory order.
[[nodiscard]] std::map<std::string, std::vector<std::string>> host_ports_of(const Inventory& inventory);

// "SWITCH/PORT" -> "host:port": the switch ports (NxM: the TX input and the RX output; any-to-any:
// the one port) each OCS-cabled NIC port lands on, as the switch names them.
[[nodiscard]] std::map<std::string, std::string> ocs_port_owners(const Inventory& inventory);

}  // namespace mixnet::coord::health
