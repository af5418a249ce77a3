#include "coordinator/topogen/port_pool.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "coordinator/model/unmapped_cabling.hpp"

namespace mixnet::coord::topogen {

Result<PortPool> PortPool::from_inventory(const Inventory& inventory, const std::string& region, std::string_view what) {
  if (!region.empty() && !inventory.has_region(region)) {
    return fail(Errc::invalid_argument, fmt::format("{}: region '{}' is no OCS switch's region in the inventory", what, region), "region");
  }
  PortPool pool;
  std::vector<PortRef> in_scope;
  for (const auto& sw : inventory.switches) {
    if (sw.kind != SwitchKind::ocs || (!region.empty() && sw.region != region)) continue;
    auto ports = inventory.ocs_ports(sw.name);
    if (ports.empty()) continue;
    pool.switches_.push_back(sw.name);
    in_scope.insert(in_scope.end(), ports.begin(), ports.end());
  }
  if (auto mapped = require_cabling_map(what, inventory, in_scope); !mapped) return std::unexpected(mapped.error());
  for (const auto& host : inventory.hosts) {
    std::vector<std::vector<std::string>> per_switch(pool.switches_.size());
    bool any = false;
    for (const auto& port : host.ports) {
      if (!port.ocs) continue;
      const auto it = std::find(pool.switches_.begin(), pool.switches_.end(), port.ocs->switch_name);
      if (it == pool.switches_.end()) continue;
      per_switch[static_cast<std::size_t>(it - pool.switches_.begin())].push_back(port.name);
      any = true;
    }
    if (!any) continue;
    pool.hosts_.push_back(host.name);
    pool.free_.push_back(std::move(per_switch));
  }
  return pool;
}

std::size_t PortPool::host_index(const std::string& host) const {
  const auto it = std::find(hosts_.begin(), hosts_.end(), host);
  return static_cast<std::size_t>(it - hosts_.begin());
}

int PortPool::free_ports(const std::string& host) const {
  const auto h = host_index(host);
  if (h == hosts_.size()) return 0;
  std::size_t n = 0;
  for (const auto& ports : free_[h]) n += ports.size();
  return static_cast<int>(n);
}

std::optional<std::size_t> PortPool::shared_switch(const std::string& a, const std::string& b) const {
  const auto ha = host_index(a);
  const auto hb = host_index(b);
  if (ha == hosts_.size() || hb == hosts_.size() || ha == hb) return std::nullopt;
  std::optional<std::size_t> best;
  std::size_t best_left = 0;
  for (std::size_t s = 0; s < switches_.size(); ++s) {
    const auto left = std::min(free_[ha][s].size(), free_[hb][s].size());
    if (left > best_left) {
      best = s;
      best_left = left;
    }
  }
  return best;
}

std::optional<Circuit> PortPool::take(const std::string& a, const std::string& b) {
  const auto s = shared_switch(a, b);
  if (!s) return std::nullopt;
  auto& pa = free_[host_index(a)][*s];
  auto& pb = free_[host_index(b)][*s];
  Circuit c{PortRef{a, pa.front()}, PortRef{b, pb.front()}, 0};
  pa.erase(pa.begin());
  pb.erase(pb.begin());
  return c;
}

Result<DemandScope> demand_scope(const DemandMatrix& demand, const Inventory& inventory, const std::string& region, std::string_view what) {
  if (auto known = check_demand_hosts(demand, inventory); !known) return std::unexpected(known.error());
  auto pool = PortPool::from_inventory(inventory, region, what);
  if (!pool) return std::unexpected(pool.error());
  auto weights = demand.pair_weights(pool->hosts());
  return DemandScope{std::move(*pool), std::move(weights)};
}

}  // namespace mixnet::coord::topogen
