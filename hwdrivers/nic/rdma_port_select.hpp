#pragma once
// Which RDMA device, port and GID a traffic run uses on a netdev, decided from the sysfs scan
// (rdma_inventory.hpp) and the address the run is bound to. Pure functions over a parsed sysfs
// tree, so every rule is tested on fixture trees.
//
// The GID rule (docs/hardware.md): an explicit index (perftest -x) is honoured when that slot
// holds a GID of this netdev. Without one, among the port's GIDs whose gid_attrs/ndevs names the
// netdev, the best by, in order: (1) it is the run's own address (a RoCE GID is the netdev's IP
// address, IPv4 as ::ffff:a.b.c.d); (2) perftest's rule: the address family of the run's address
// (IPv4-mapped or not); (3) global scope (not fe80::/10); (4) RoCE v2 over RoCE v1; (5) the lowest
// index. Where a port has one address per family this picks what ib_write_bw picks.
#include <optional>
#include <string>

#include "common/result.hpp"
#include "hwdrivers/nic/rdma_inventory.hpp"

namespace mixnet::nic {

struct RdmaTarget {
  std::string device;     // "mlx5_0"
  int port = 0;           // RDMA port number
  GidEntry gid;           // the chosen slot
};

// The RDMA port whose GIDs name `netdev`. Errors (Errc::unavailable, field "port") name the netdev
// and say why: no RDMA device on the host at all (the scan's note), or none behind this netdev.
Result<const RdmaPort*> rdma_port_of_netdev(const RdmaScan& scan, const std::string& netdev);

// The GID a RoCE port derives from an IP address: IPv4 as ::ffff:a.b.c.d. Canonical sysfs text.
Result<std::string> gid_of_address(const std::string& address);

// The rule above. `address` may be empty (then only rules 3..5 apply, IPv4-mapped preferred as in
// perftest without --ipv6). Errors name "rdma.gid_index" for a bad explicit index.
Result<GidEntry> select_gid(const RdmaPort& port, const std::string& netdev, const std::string& address,
                            std::optional<std::uint32_t> explicit_index);

// Both: the device, port and GID for a run on `netdev` bound to `address`.
Result<RdmaTarget> resolve_rdma_target(const RdmaScan& scan, const std::string& netdev, const std::string& address,
                                       std::optional<std::uint32_t> explicit_index);

}  // namespace mixnet::nic
