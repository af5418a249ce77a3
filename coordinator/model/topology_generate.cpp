#include "coordinator/model/topology_generate.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace mixnet::coord {

namespace {

using Pair = std::pair<PortRef, PortRef>;

Pair ordered(const PortRef& a, const PortRef& b) { return a < b ? Pair{a, b} : Pair{b, a}; }

// Every OCS-cabled port per switch, in inventory order (host by host).
std::map<std::string, std::vector<PortRef>> ocs_ports_by_switch(const Inventory& inventory) {
  std::map<std::string, std::vector<PortRef>> by_switch;
  for (const auto& sw : inventory.switches) {
    if (auto ports = inventory.ocs_ports(sw.name); !ports.empty()) by_switch[sw.name] = std::move(ports);
  }
  return by_switch;
}

}  // namespace

Result<std::vector<Topology>> generate_cover(const std::string& name, const Inventory& inventory, const std::string& region) {
  Topology first{.name = name + "-1", .description = "generated: cover, part 1 (a largest matching across hosts)"};
  Topology second{.name = name + "-2", .description = "generated: cover, part 2 (the rest, and second peers)"};
  if (!region.empty() && !inventory.has_region(region)) {
    return fail(Errc::invalid_argument,
                fmt::format("generate cover: region '{}' is no OCS switch's region in the inventory", region), "region");
  }

  for (const auto& [switch_name, ports] : ocs_ports_by_switch(inventory)) {
    if (const Switch* sw = inventory.find_switch(switch_name); !region.empty() && (sw == nullptr || sw->region != region)) continue;
    if (ports.size() < 2) {
      return fail(Errc::invalid_argument,
                  fmt::format("generate cover: switch {} has only one cabled port ({}): it cannot be given a circuit",
                              switch_name, ports.front().str()),
                  "generate");
    }
    // Part 1: the sorted list split in halves; port i meets port i + half. Same-host pairs (only
    // when a host holds more than half the ports) are left out for part 2.
    const std::size_t half = ports.size() / 2;
    std::set<PortRef> covered;
    std::set<Pair> used_pairs;
    std::vector<PortRef> left;
    for (std::size_t i = 0; i < half; ++i) {
      const PortRef& a = ports[i];
      const PortRef& b = ports[i + half + (ports.size() % 2)];
      if (a.host == b.host) {
        left.push_back(a);
        left.push_back(b);
        continue;
      }
      first.circuits.push_back({a, b, 0});
      covered.insert(a);
      covered.insert(b);
      used_pairs.insert(ordered(a, b));
    }
    if (ports.size() % 2 == 1) left.push_back(ports[half]);

    // Part 2: the left-out ports first, each with a port of another host; then every other port
    // that can still get a peer it did not have in part 1.
    std::set<PortRef> taken;
    auto pick_partner = [&](const PortRef& a, bool must_be_new_pair) -> const PortRef* {
      for (const auto& b : ports) {
        if (b.host == a.host || taken.contains(b) || b == a) continue;
        if (must_be_new_pair && used_pairs.contains(ordered(a, b))) continue;
        return &b;
      }
      return nullptr;
    };
    for (const auto& a : left) {
      if (taken.contains(a)) continue;
      const PortRef* b = pick_partner(a, false);
      if (b == nullptr) {
        std::map<std::string, int> per_host;
        for (const auto& p : ports) per_host[p.host] += 1;
        return fail(Errc::invalid_argument,
                    fmt::format("generate cover: port {} cannot be covered in two topologies: host {} holds {} of the {} "
                                "ports on switch {}, and circuits join different hosts",
                                a.str(), a.host, per_host[a.host], ports.size(), switch_name),
                    "generate");
      }
      second.circuits.push_back({a, *b, 0});
      taken.insert(a);
      taken.insert(*b);
    }
    for (const auto& a : ports) {
      if (taken.contains(a)) continue;
      if (const PortRef* b = pick_partner(a, true); b != nullptr) {
        second.circuits.push_back({a, *b, 0});
        taken.insert(a);
        taken.insert(*b);
      }
    }
  }
  std::vector<Topology> out;
  out.push_back(std::move(first));
  out.push_back(std::move(second));
  return out;
}

}  // namespace mixnet::coord
