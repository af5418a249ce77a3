#pragma once
// A port's error and traffic counters as the kernel keeps them, for the nightly health check
// (docs/health/counters.md): the netdev statistics (<sysfs>/class/net/IF/statistics/*,
// <sysfs>/class/net/IF/carrier_changes) and, where an RDMA device sits on the port (its GIDs name
// the netdev, rdma_inventory.hpp), the IB port counters
// (<sysfs>/class/infiniband/DEV/ports/N/counters/*). Plus the host's boot id, so that a reader of
// two readings can tell a reboot from a counter that grew.
//
// A counter file that is missing or unreadable is reported absent with the reason, never as 0.
// The sysfs root and the boot-id path are parameters so tests run on fake trees.
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/wire/counters_api.hpp"
#include "hwdrivers/nic/rdma_inventory.hpp"

namespace mixnet::nic {

inline constexpr const char* kBootIdPath = "/proc/sys/kernel/random/boot_id";

// The netdev counters read from statistics/ (the kernel's struct rtnl_link_stats64 names), and
// carrier_changes from the netdev's own directory.
const std::vector<std::string>& netdev_counter_names();
// The IB port counters read from counters/; port_xmit_data and port_rcv_data are reported as
// port_xmit_octets and port_rcv_octets (x4).
const std::vector<std::string>& ib_counter_names();

// One netdev's counters. An error (not_found) only when the netdev itself does not exist under
// <sysfs_root>/class/net; a missing counter is an absent reading. `rdma` is the host's RDMA scan
// (scan_rdma_sysfs(<sysfs_root>/class/infiniband)); the first RDMA port whose GIDs name the netdev
// gives the IB counters.
Result<wire::PortCounters> read_port_counters(const std::string& netdev, const RdmaScan& rdma,
                                              const std::filesystem::path& sysfs_root = "/sys");

// The host's boot id (a UUID that changes with every boot), trimmed; errors name the path.
Result<std::string> read_boot_id(const std::filesystem::path& path = kBootIdPath);

}  // namespace mixnet::nic
