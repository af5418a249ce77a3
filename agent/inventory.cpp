#include "agent/inventory.hpp"

#include <algorithm>

#include "common/clock.hpp"

namespace mixnet::agent {

wire::PortInfo to_port_info(const nic::NetdevInfo& dev, const nic::RdmaScan& rdma) {
  wire::PortInfo p{.name = dev.name,
                   .ifindex = dev.ifindex,
                   .mac = dev.mac,
                   .mtu = dev.mtu,
                   .admin_up = dev.admin_up,
                   .oper_state = dev.oper_state,
                   .carrier = dev.carrier,
                   .speed_mbps = dev.speed_mbps,
                   .ipv4 = dev.ipv4,
                   .ipv6 = dev.ipv6};
  for (const nic::RdmaPort* r : nic::rdma_ports_for_netdev(rdma, dev.name)) {
    wire::RdmaPortInfo info{.device = r->device,
                            .port = r->port,
                            .link_layer = r->link_layer,
                            .state = r->state,
                            .state_name = r->state_name,
                            .phys_state = r->phys_state,
                            .phys_state_name = r->phys_state_name,
                            .rate = r->rate,
                            .active_speed = r->active_speed,
                            .active_width = r->active_width,
                            .fw_ver = r->fw_ver};
    for (const auto& g : r->gids) {
      info.gids.push_back(wire::GidInfo{.index = g.index, .gid = g.gid, .type = g.type, .netdev = g.netdev});
    }
    p.rdma.push_back(std::move(info));
  }
  return p;
}

nic::RdmaScan scan_rdma() {
  auto scan = nic::scan_rdma_sysfs();
  if (!scan) return nic::RdmaScan{.ports = {}, .note = "RDMA inventory unavailable: " + scan.error().describe()};
  nic::enrich_with_ibverbs(*scan);
  return std::move(*scan);
}

Result<wire::Inventory> build_inventory(nic::NetlinkLinks& links, const PortFilter& filter,
                                        const std::string& host_id) {
  auto devs = links.list();
  if (!devs) return std::unexpected(devs.error().context("list interfaces"));
  const nic::RdmaScan rdma = scan_rdma();
  wire::Inventory inv{.host_id = host_id, .time_ns = realtime_ns(), .managed_patterns = filter.patterns()};
  for (const auto& d : *devs) {
    if (filter.manages(d.name)) inv.ports.push_back(to_port_info(d, rdma));
  }
  std::sort(inv.ports.begin(), inv.ports.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  inv.rdma.available = !rdma.ports.empty();
  inv.rdma.note = rdma.note.empty() ? std::to_string(rdma.ports.size()) + " RDMA port(s)" : rdma.note;
  return inv;
}

Result<nic::NetdevInfo> find_managed(nic::NetlinkLinks& links, const PortFilter& filter, std::string_view name,
                                     std::string_view field) {
  const auto missing = [&] {
    return fail(Errc::not_found, "no managed port named '" + std::string(name) + "'", std::string(field));
  };
  if (!filter.manages(name)) return missing();
  auto dev = links.get(name);
  if (!dev) {
    if (dev.error().code == Errc::not_found) return missing();
    return std::unexpected(dev.error().context("read " + std::string(name)));
  }
  return dev;
}

}  // namespace mixnet::agent
