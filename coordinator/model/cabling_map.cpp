#include "coordinator/model/cabling_map.hpp"


#include <utility>

#include <fmt/format.h>

namespace mixnet::coord {

const OcsCabling* CablingMap::find(const PortRef& port) const {
  const auto it = ports.find(port);
  return it == ports.end() ? nullptr : &it->second;
}

std::string describe_ports(const OcsCabling& cabling) {
  if (cabling.port) return "port " + *cabling.port;
  if (cabling.tx && cabling.rx) return fmt::format("in {}/out {}", *cabling.tx, *cabling.rx);
  return "no map";
}

Result<void> validate_cabling_map(const Inventory& inventory, const CablingMap& found) {
  std::map<std::pair<std::string, std::string>, PortRef> used;   // (switch, switch port) -> NIC port
  for (const auto& [ref, cabling] : found.ports) {
    const std::string name = ref.str();
    auto port = inventory.find_port(ref);
    if (!port) return fail(Errc::invalid_argument, port.error().message, name);
    if (!(*port)->ocs) return fail(Errc::invalid_argument, fmt::format("{}: the inventory does not cable it to an OCS", name), name);
    const Switch* sw = inventory.find_switch(cabling.switch_name);
    if (sw == nullptr || sw->kind != SwitchKind::ocs)
      return fail(Errc::invalid_argument, fmt::format("{}: found on '{}', which is no OCS of the inventory", name, cabling.switch_name), name);
    if (cabling.port && (cabling.tx || cabling.rx))
      return fail(Errc::invalid_argument, fmt::format("{}: found with a port and tx/rx; it has one or the other", name), name);
    if (!cabling.mapped())
      return fail(Errc::invalid_argument, fmt::format("{}: found without its ports (tx and rx, or port)", name), name);
    if (cabling.tx && *cabling.tx == *cabling.rx)
      return fail(Errc::invalid_argument, fmt::format("{}: found with tx and rx both port {}", name, *cabling.tx), name);
    for (const auto* side : {&cabling.tx, &cabling.rx, &cabling.port}) {
      if (!*side) continue;
      auto [it, inserted] = used.try_emplace({cabling.switch_name, **side}, ref);
      if (!inserted)
        return fail(Errc::invalid_argument,
                    fmt::format("{}: found on switch {} port {}, which is found for {} too", name, cabling.switch_name, **side, it->second.str()),
                    name);
    }
  }
  return {};
}

}  // namespace mixnet::coord
