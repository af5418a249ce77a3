// LinkChangeDetector: netlink re-sends a link's full state for any attribute change (statistics,
// MTU, addresses on some drivers), so the journal would fill with noise without this filter.
#include <algorithm>

#include "hwdrivers/nic/link_monitor.hpp"

namespace mixnet::nic {

const char* to_string(LinkEventKind kind) {
  switch (kind) {
    case LinkEventKind::link_up: return "link_up";
    case LinkEventKind::link_down: return "link_down";
    case LinkEventKind::admin_up: return "admin_up";
    case LinkEventKind::admin_down: return "admin_down";
    case LinkEventKind::oper_state: return "oper_state";
    case LinkEventKind::added: return "added";
    case LinkEventKind::removed: return "removed";
  }
  return "unknown";
}

void LinkChangeDetector::seed(const LinkState& current) {
  const Known known{current.admin_up, current.carrier, current.oper_state, current.name};
  auto it = std::find_if(known_.begin(), known_.end(), [&](const auto& k) { return k.first == current.ifindex; });
  if (current.removed) {
    if (it != known_.end()) known_.erase(it);
  } else if (it != known_.end()) {
    it->second = known;
  } else {
    known_.emplace_back(current.ifindex, known);
  }
}

std::optional<LinkState> LinkChangeDetector::known(int ifindex) const {
  auto it = std::find_if(known_.begin(), known_.end(), [&](const auto& k) { return k.first == ifindex; });
  if (it == known_.end()) return std::nullopt;
  const Known& k = it->second;
  return LinkState{.ifindex = ifindex, .name = k.name, .admin_up = k.admin_up, .carrier = k.carrier, .oper_state = k.oper_state};
}

std::vector<LinkChange> LinkChangeDetector::update(const LinkState& next) {
  std::vector<LinkChange> changes;
  auto it = std::find_if(known_.begin(), known_.end(), [&](const auto& k) { return k.first == next.ifindex; });
  if (next.removed) {
    // A link we never knew of (or already saw go) changes nothing we have reported.
    if (it == known_.end()) return changes;
    known_.erase(it);
    changes.push_back({LinkEventKind::removed, next, {}});
    return changes;
  }
  if (it == known_.end()) {
    known_.emplace_back(next.ifindex, Known{next.admin_up, next.carrier, next.oper_state, next.name});
    changes.push_back({LinkEventKind::added, next, {}});
    return changes;
  }
  Known& was = it->second;
  // Admin state first: "set down" is the cause, the carrier and oper_state changes its effects.
  if (was.admin_up != next.admin_up) {
    changes.push_back({next.admin_up ? LinkEventKind::admin_up : LinkEventKind::admin_down, next, {}});
  }
  if (was.carrier != next.carrier) {
    changes.push_back({next.carrier ? LinkEventKind::link_up : LinkEventKind::link_down, next, {}});
  }
  if (was.oper_state != next.oper_state) {
    changes.push_back({LinkEventKind::oper_state, next, was.oper_state});
  }
  was = Known{next.admin_up, next.carrier, next.oper_state, next.name};  // a rename is kept, not an event
  return changes;
}

}  // namespace mixnet::nic
