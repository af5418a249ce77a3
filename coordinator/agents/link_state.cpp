#include "coordinator/agents/link_state.hpp"

namespace mixnet::coord {

void LinkStateTable::apply(const wire::Inventory& inventory) {
  for (const auto& p : inventory.ports) apply(p);
}

void LinkStateTable::apply(const wire::PortInfo& port) {
  PortLinkState& s = ports_[port.name];
  s.admin_up = port.admin_up;
  s.carrier = port.carrier;
  s.oper_state = port.oper_state;
  s.removed = false;
}

void LinkStateTable::apply(const wire::LinkEvent& event) {
  if (event.port.empty()) return;
  PortLinkState& s = ports_[event.port];
  if (event.seq != 0 && event.seq <= s.seq) return;
  s.seq = event.seq;
  if (event.kind.rfind("rdma_", 0) == 0) return;   // RDMA events carry no netdev state
  if (event.kind == "neighbor") {
    // Who is at the far end, not netdev state (its frame may be read after a link_down): kept
    // until the next link_down.
    s.neighbor = HeardNeighbor{.host_id = event.neighbor_host, .port = event.neighbor_port, .time_ns = event.time_ns};
    return;
  }
  if (event.kind == "removed") {
    s.removed = true;
    s.carrier = false;
    s.neighbor.reset();
    return;
  }
  s.removed = false;
  s.admin_up = event.admin_up;
  s.carrier = event.carrier;
  if (!event.oper_state.empty()) s.oper_state = event.oper_state;
  if (event.kind == "link_up") s.link_up_ns = event.time_ns;
  if (event.kind == "link_down") {
    s.link_down_ns = event.time_ns;
    s.neighbor.reset();   // whoever comes next is heard anew
  }
}

void LinkStateTable::forget_events() {
  for (auto& [name, s] : ports_) {
    s.seq = 0;
    s.link_up_ns = 0;
    s.link_down_ns = 0;
    s.neighbor.reset();
  }
}

const PortLinkState* LinkStateTable::find(const std::string& port) const {
  auto it = ports_.find(port);
  return it == ports_.end() ? nullptr : &it->second;
}

}  // namespace mixnet::coord
