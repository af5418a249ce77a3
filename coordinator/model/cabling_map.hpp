#pragma once
// A cabling map as found (docs/inventory.md "The found map"): for each NIC port, the OCS it is on
// and where its fibres land (tx/rx on an NxM switch, port on an any-to-any one). Cabling
// discovery (`mixnet-coord cabling discover`) fills one; cabling_diff.hpp compares it with the
// inventory and corrected_inventory.hpp writes it back into the inventory file.
#include <cstddef>
#include <map>
#include <string>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

struct CablingMap {
  // Port -> what was found: the switch and its tx and rx, or its port (never neither).
  std::map<PortRef, OcsCabling> ports;

  // What was found for `port`, replacing an earlier finding.
  void set(const PortRef& port, OcsCabling found) { ports[port] = std::move(found); }
  // What was found for `port`; nullptr when it was not found.
  [[nodiscard]] const OcsCabling* find(const PortRef& port) const;
};

// Checks `found` against the inventory it was found for: every port is one the inventory cables to
// an OCS, every finding names an OCS of the inventory and has tx and rx or port (not both, not
// one of tx/rx alone, tx != rx), and no switch port is found for two NIC ports. The error
// (Errc::invalid_argument) names the port in its message and in `field` ("h2:ocs1").
[[nodiscard]] Result<void> validate_cabling_map(const Inventory& inventory, const CablingMap& found);

// A map as people read it: "in 7/out 23" (NxM), "port 5" (any-to-any), "no map" (switch only).
[[nodiscard]] std::string describe_ports(const OcsCabling& cabling);

}  // namespace mixnet::coord
