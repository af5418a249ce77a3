#include "coordinator/health/blame_inputs.hpp"

namespace mixnet::coord::health {

std::map<std::string, std::vector<std::string>> host_ports_of(const Inventory& inventory) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& host : inventory.hosts) {
    auto& ports = out[host.name];
    for (const auto& port : host.ports) {
      if (port.ocs || port.eps) ports.push_back(PortRef{host.name, port.name}.str());
    }
  }
  return out;
}

std::map<std::string, std::string> ocs_port_owners(const Inventory& inventory) {
  std::map<std::string, std::string> out;
  for (const auto& host : inventory.hosts) {
    for (const auto& port : host.ports) {
      if (!port.ocs) continue;
      const std::string owner = PortRef{host.name, port.name}.str();
      for (const auto* side : {&port.ocs->tx, &port.ocs->rx, &port.ocs->port}) {
        if (*side) out[port.ocs->switch_name + "/" + **side] = owner;
      }
    }
  }
  return out;
}

}  // namespace mixnet::coord::health
