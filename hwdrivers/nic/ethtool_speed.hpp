#pragma once
// Private to hwdrivers/nic: a link's speed from the driver, through the SIOCETHTOOL ioctl.
#include <cstdint>
#include <optional>
#include <string_view>

namespace mixnet::nic::detail {

// Asks the driver for the negotiated speed on `sock_fd` (any socket in the interface's network
// namespace). nullopt when the driver has no ethtool support, does not know (SPEED_UNKNOWN, e.g.
// no carrier) or the call fails: speed is informative, never a reason to fail an inventory.
std::optional<std::uint32_t> ethtool_speed_mbps(int sock_fd, std::string_view ifname);

}  // namespace mixnet::nic::detail
