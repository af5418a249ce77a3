#pragma once
// A port's RDMA expectations (the inventory's `ports[].rdma`, docs/inventory.md): which RDMA
// device and port the netdev belongs to, that device's firmware, the port's link layer and its
// GID table. Named as the kernel names them under /sys/class/infiniband (and as ibv_devinfo prints
// them): <device>/fw_ver, <device>/ports/<port>/link_layer, <device>/ports/<port>/gids/<index>.
// The nightly check compares them with what the host's agent reports (health.hosts,
// coordinator/health/rdma_drift.hpp). Every key is optional; `rdma: {}` says only that the port
// must belong to an RDMA device.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace YAML {
class Node;
}

namespace mixnet::coord {

namespace yamlx {
struct Source;
}

inline constexpr int kMaxRdmaPort = 255;        // RDMA port numbers are 1-based u8
inline constexpr int kMaxGidTable = 1024;       // far above any real table (mlx5: 255 entries)

struct RdmaExpect {
  std::optional<std::string> device;      // "mlx5_0"
  std::optional<int> port;                // 1..255
  std::optional<std::string> fw_ver;      // "28.39.1002", compared exactly as the kernel prints it
  std::optional<std::string> link_layer;  // "Ethernet" or "InfiniBand"
  std::vector<std::string> gids;          // the table's distinct GIDs, in sysfs's full form (see normalize_gid); empty: not checked
  std::optional<int> gid_count;           // valid (non-zero) entries of the table, every type counted
  int line = 0;
};

// The link layers the kernel reports (ports/N/link_layer).
inline constexpr std::string_view kLinkLayers[] = {"Ethernet", "InfiniBand"};

// A GID written as an IPv6 address ("fe80::202:c9ff:fe00:1", any case), in the form sysfs prints
// it: eight groups of four lower-case hex digits ("fe80:0000:0000:0000:0202:c9ff:fe00:0001").
// nullopt when the text is not a GID.
[[nodiscard]] std::optional<std::string> normalize_gid(std::string_view text);

// Reads `rdma:` of one port; errors name FILE:LINE and the key path
// ("hosts[0].ports[1].rdma.gids[2]: 'fe80::zz' is not a GID (an IPv6 address)").
Result<RdmaExpect> read_rdma_expect(const YAML::Node& node, const yamlx::Source& src, const std::string& path);

}  // namespace mixnet::coord
