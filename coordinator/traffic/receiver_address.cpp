#include "coordinator/traffic/receiver_address.hpp"

namespace mixnet::coord {

std::string receiver_address(const wire::TrafficRunReport& receiver, const Inventory& inventory, const PortRef& to) {
  if (!receiver.local_address.empty()) return receiver.local_address;
  auto port = inventory.find_port(to);
  return port ? (*port)->ip().value_or("") : std::string();
}

}  // namespace mixnet::coord
