#pragma once
// The address a sender dials to reach its receiver, for every traffic the coordinator starts
// (traffic.run's rounds, measure.reconfig's timeline streams).
#include <string>

#include "common/wire/traffic_api.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

// The address the receiver's agent bound it to (its report's local_address: the port's own
// address); when the agent gave none, the inventory's address of the receiving port `to`; empty
// when neither is known (the sender's agent then refuses the run).
std::string receiver_address(const wire::TrafficRunReport& receiver, const Inventory& inventory, const PortRef& to);

}  // namespace mixnet::coord
