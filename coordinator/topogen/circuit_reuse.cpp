#include "coordinator/topogen/circuit_reuse.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace mixnet::coord::topogen {

namespace {

using ReuseKey = std::tuple<std::string, std::string, std::string>;   // switch, host a, host b (a < b)

std::string switch_of_port(const Inventory& inventory, const PortRef& port) {
  const Host* h = inventory.find_host(port.host);
  const HostPort* p = h != nullptr ? h->find_port(port.port) : nullptr;
  return p != nullptr && p->ocs ? p->ocs->switch_name : std::string{};
}

// The circuit's key and its ends in key order (the end on host a first).
std::pair<ReuseKey, std::pair<PortRef, PortRef>> reuse_key(const Inventory& inventory, const Circuit& c) {
  const bool swap = c.b.host < c.a.host;
  const PortRef& a = swap ? c.b : c.a;
  const PortRef& b = swap ? c.a : c.b;
  return {{switch_of_port(inventory, a), a.host, b.host}, {a, b}};
}

}  // namespace

Topology reuse_circuits(const Topology& wanted, const Topology& in_place, const Inventory& inventory) {
  Topology out{.name = wanted.name, .description = wanted.description, .region = wanted.region};
  // How many circuits each (switch, host pair) wants, in wanted's order of first appearance.
  std::map<ReuseKey, int> want;
  std::vector<ReuseKey> order;
  for (const auto& c : wanted.circuits) {
    const auto key = reuse_key(inventory, c).first;
    if (want[key]++ == 0) order.push_back(key);
  }
  // Keep circuits in place first, each port once.
  std::set<PortRef> used;
  std::map<ReuseKey, int> kept;
  std::vector<std::pair<ReuseKey, Circuit>> placed;
  for (const auto& c : in_place.circuits) {
    const auto [key, ends] = reuse_key(inventory, c);
    const auto it = want.find(key);
    if (it == want.end() || kept[key] >= it->second || used.contains(ends.first) || used.contains(ends.second)) continue;
    ++kept[key];
    used.insert(ends.first);
    used.insert(ends.second);
    placed.push_back({key, Circuit{.a = ends.first, .b = ends.second}});
  }
  // The rest from each host's ports on the switch that no kept circuit took, in inventory order.
  const auto next_free = [&](const std::string& host, const std::string& sw) -> std::optional<PortRef> {
    const Host* h = inventory.find_host(host);
    if (h == nullptr) return std::nullopt;
    for (const auto& p : h->ports) {
      PortRef ref{host, p.name};
      if (p.ocs && p.ocs->switch_name == sw && !used.contains(ref)) return ref;
    }
    return std::nullopt;
  };
  for (const auto& key : order) {
    for (int k = kept[key]; k < want[key]; ++k) {
      const auto a = next_free(std::get<1>(key), std::get<0>(key));
      const auto b = next_free(std::get<2>(key), std::get<0>(key));
      if (!a || !b) break;   // cannot happen for a wanted topology whose ports the inventory cables
      used.insert(*a);
      used.insert(*b);
      placed.push_back({key, Circuit{.a = *a, .b = *b}});
    }
  }
  // In wanted's order of pairs, so the file reads like the generator's.
  for (const auto& key : order) {
    for (const auto& [k, c] : placed) {
      if (k == key) out.circuits.push_back(c);
    }
  }
  return out;
}

}  // namespace mixnet::coord::topogen
