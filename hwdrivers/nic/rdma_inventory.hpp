#pragma once
// RDMA ports and how they map to netdevs. sysfs (/sys/class/infiniband) is the source of truth
// for the netdev mapping (gid_attrs/ndevs) and the GID table; libibverbs (ibv_query_port) adds
// the live port attributes where a device can be opened. The sysfs root is a parameter so tests
// run on fixture trees shaped like real ConnectX ports.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace mixnet::nic {

struct GidEntry {
  int index = 0;
  std::string gid;      // "fe80:0000:0000:0000:0202:c9ff:fe00:0001" as sysfs prints it
  std::string type;     // "RoCE v2", "IB/RoCE v1"
  std::string netdev;   // from gid_attrs/ndevs/<index>; empty when none
};

struct RdmaPort {
  std::string device;          // "mlx5_0"
  int port = 0;                // 1-based
  std::string link_layer;      // "Ethernet", "InfiniBand"
  int state = 0;               // ibv_port_state: DOWN 1, INIT 2, ARMED 3, ACTIVE 4
  std::string state_name;      // "ACTIVE"
  int phys_state = 0;          // Polling 2, Disabled 3, Training 4, LinkUp 5, LinkErrorRecovery 6
  std::string phys_state_name; // "LinkUp"
  std::string rate;            // sysfs "100 Gb/sec (4X EDR)"
  std::optional<std::string> active_speed;  // decoded, e.g. "25.0 Gbps" (from ibverbs)
  std::optional<std::string> active_width;  // decoded, e.g. "4X" (from ibverbs)
  std::optional<std::string> fw_ver;  // the device's firmware, <device>/fw_ver ("28.39.1002"); nullopt
                                      // when the device has none (soft devices) or it cannot be read
  std::vector<GidEntry> gids;  // only valid (non-zero) entries
  std::vector<std::string> netdevs;  // every netdev named by this port's GIDs
};

struct RdmaScan {
  std::vector<RdmaPort> ports;
  std::string note;  // plain words when there is nothing: "no RDMA devices (/sys/class/infiniband is absent)"
};

// Reads every device and port under sysfs_root, and each device's firmware version (fw_ver, copied
// into each of its ports). A missing root is not an error: it is a host without RDMA, and the note
// says so.
Result<RdmaScan> scan_rdma_sysfs(const std::filesystem::path& sysfs_root = "/sys/class/infiniband");

// Adds ibverbs attributes (active speed/width, state) where a device opens; leaves sysfs values
// where it does not. With no device list at all, returns the scan unchanged.
void enrich_with_ibverbs(RdmaScan& scan);

// The RDMA ports whose GIDs name this netdev.
std::vector<const RdmaPort*> rdma_ports_for_netdev(const RdmaScan& scan, const std::string& netdev);

// Decoders for ibv_port_attr fields, as rdma-core's ibv_devinfo prints them.
std::string decode_active_speed(unsigned speed_code);   // 1 -> "2.5 Gbps", 32 -> "25.0 Gbps", ...
std::string decode_active_width(unsigned width_code);   // 1 -> "1X", 2 -> "4X", 4 -> "8X", 8 -> "12X", 16 -> "2X"
std::string port_state_name(int state);                 // 4 -> "ACTIVE"
std::string phys_state_name(int phys_state);            // 5 -> "LinkUp"

// Parses sysfs lines such as "4: ACTIVE" into (4, "ACTIVE"); errors name the file.
Result<std::pair<int, std::string>> parse_sysfs_numbered(std::string_view text, std::string_view file);

}  // namespace mixnet::nic
