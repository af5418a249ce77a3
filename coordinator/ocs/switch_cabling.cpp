#include "coordinator/ocs/switch_cabling.hpp"

#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

std::set<ocs::PortId> inventory_switch_ports(const Inventory& inventory, const std::string& switch_name) {
  std::set<ocs::PortId> ports;
  for (const auto& h : inventory.hosts) {
    for (const auto& p : h.ports) {
      if (!p.ocs || p.ocs->switch_name != switch_name) continue;
      for (const auto* v : {&p.ocs->tx, &p.ocs->rx, &p.ocs->port}) {
        if (*v) ports.insert(**v);
      }
    }
  }
  return ports;
}

std::vector<std::string> cabled_ocs_switches(const Inventory& inventory) {
  std::vector<std::string> out;
  for (const auto& s : inventory.switches) {
    // A port whose map is still unknown cables its switch too: the switch is driven (and fails,
    // naming that port) rather than silently left out.
    if (s.kind == SwitchKind::ocs && !inventory.ocs_ports(s.name).empty()) out.push_back(s.name);
  }
  return out;
}

}  // namespace mixnet::coord
