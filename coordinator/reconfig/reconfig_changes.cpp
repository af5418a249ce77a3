#include "coordinator/reconfig/reconfig_changes.hpp"

#include <set>
#include <utility>

namespace mixnet::coord {

namespace {

// "h1:ocs0 - h2:ocs1" in a canonical order, to compare circuits of two topologies.
std::pair<std::string, std::string> circuit_key(const Circuit& c) {
  auto a = c.a.str(), b = c.b.str();
  return a < b ? std::pair{a, b} : std::pair{b, a};
}

}  // namespace

std::vector<Circuit> new_circuits(const Topology* from, const Topology& to) {
  std::set<std::pair<std::string, std::string>> before;
  if (from != nullptr) for (const auto& c : from->circuits) before.insert(circuit_key(c));
  std::vector<Circuit> out;
  for (const auto& c : to.circuits) {
    if (!before.contains(circuit_key(c))) out.push_back(c);
  }
  return out;
}

std::vector<PortRef> changing_ports(const Topology* from, const Topology& to) {
  std::set<std::pair<std::string, std::string>> before, after;
  if (from != nullptr) for (const auto& c : from->circuits) before.insert(circuit_key(c));
  for (const auto& c : to.circuits) after.insert(circuit_key(c));
  std::vector<PortRef> out;
  std::set<std::string> seen;
  auto add = [&](const PortRef& p) {
    if (seen.insert(p.str()).second) out.push_back(p);
  };
  for (const auto& c : to.circuits) {
    if (!before.contains(circuit_key(c))) {
      add(c.a);
      add(c.b);
    }
  }
  if (from != nullptr) {
    for (const auto& c : from->circuits) {
      if (!after.contains(circuit_key(c))) {
        add(c.a);
        add(c.b);
      }
    }
  }
  return out;
}

std::optional<PortRef> peer_in(const Topology* t, const PortRef& p) {
  if (t == nullptr) return std::nullopt;
  for (const auto& c : t->circuits) {
    if (c.a == p) return c.b;
    if (c.b == p) return c.a;
  }
  return std::nullopt;
}

std::string switch_of(const Inventory& inv, const PortRef& p) {
  for (const auto& h : inv.hosts) {
    if (h.name != p.host) continue;
    const HostPort* hp = h.find_port(p.port);
    if (hp != nullptr && hp->ocs) return hp->ocs->switch_name;
  }
  return {};
}

}  // namespace mixnet::coord
