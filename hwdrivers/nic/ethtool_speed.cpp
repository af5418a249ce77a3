#include "hwdrivers/nic/ethtool_speed.hpp"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace mixnet::nic::detail {

namespace {

// SPEED_UNKNOWN is -1 in a __u32 field; 0 is what some drivers report without a link.
std::optional<std::uint32_t> known_speed(std::uint32_t speed) {
  if (speed == 0 || speed == static_cast<std::uint32_t>(SPEED_UNKNOWN)) return std::nullopt;
  return speed;
}

bool ethtool_ioctl(int fd, std::string_view ifname, void* data) {
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, ifname.data(), ifname.size());  // caller checked the length
  ifr.ifr_data = static_cast<char*>(data);
  return ioctl(fd, SIOCETHTOOL, &ifr) == 0;
}

// ETHTOOL_GLINKSETTINGS: the modern call. The kernel first tells us how many 32-bit words each
// link-mode bitmap has (as a negative number); the second call then fills the settings.
std::optional<std::optional<std::uint32_t>> link_settings_speed(int fd, std::string_view ifname) {
  constexpr std::size_t kMaxWords = 127;  // the field is s8; three bitmaps follow the struct
  alignas(ethtool_link_settings) std::array<unsigned char,
                                            sizeof(ethtool_link_settings) + 3 * kMaxWords * 4> buf{};
  auto* req = reinterpret_cast<ethtool_link_settings*>(buf.data());
  req->cmd = ETHTOOL_GLINKSETTINGS;
  req->link_mode_masks_nwords = 0;
  if (!ethtool_ioctl(fd, ifname, req)) return std::nullopt;  // not supported: try the old call
  if (req->link_mode_masks_nwords >= 0 || req->cmd != ETHTOOL_GLINKSETTINGS) return std::nullopt;
  const auto words = static_cast<std::int8_t>(-req->link_mode_masks_nwords);
  buf.fill(0);
  req->cmd = ETHTOOL_GLINKSETTINGS;
  req->link_mode_masks_nwords = words;
  if (!ethtool_ioctl(fd, ifname, req)) return std::nullopt;
  return known_speed(req->speed);
}

std::optional<std::uint32_t> legacy_speed(int fd, std::string_view ifname) {
  ethtool_cmd cmd{};
  cmd.cmd = ETHTOOL_GSET;
  if (!ethtool_ioctl(fd, ifname, &cmd)) return std::nullopt;
  return known_speed(ethtool_cmd_speed(&cmd));
}

}  // namespace

std::optional<std::uint32_t> ethtool_speed_mbps(int sock_fd, std::string_view ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) return std::nullopt;
  if (auto speed = link_settings_speed(sock_fd, ifname)) return *speed;
  return legacy_speed(sock_fd, ifname);
}

}  // namespace mixnet::nic::detail
