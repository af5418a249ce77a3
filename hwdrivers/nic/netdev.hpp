#pragma once
// What the kernel says about one network interface, as the agent reports it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mixnet::nic {

struct NetdevInfo {
  std::string name;
  int ifindex = 0;
  std::string mac;                    // "02:00:00:00:00:01", lower case
  std::uint32_t mtu = 0;
  bool admin_up = false;              // IFF_UP
  std::string oper_state;             // RFC 2863 name: "up", "down", "lowerlayerdown", "dormant", "unknown", ...
  bool carrier = false;               // IFF_LOWER_UP
  std::optional<std::uint32_t> speed_mbps;  // ethtool; absent when the driver does not know
  std::vector<std::string> ipv4;      // CIDR, e.g. "198.18.0.1/24"
  std::vector<std::string> ipv6;      // CIDR, e.g. "fe80::1/64"
};

// A link's state as one netlink message reported it, stamped (CLOCK_REALTIME ns) right after the
// message was read from the socket.
struct LinkState {
  int ifindex = 0;
  std::string name;
  bool admin_up = false;
  bool carrier = false;
  std::string oper_state;
  bool removed = false;               // RTM_DELLINK
  std::int64_t read_time_ns = 0;
};

}  // namespace mixnet::nic
