#pragma once
// Reads and configures network interfaces through rtnetlink (libnl-route-3), in the network
// namespace of the calling thread at open(). Never runs external programs. One object holds one
// netlink socket: use it from one thread at a time.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "hwdrivers/nic/netdev.hpp"

namespace mixnet::nic {

class NetlinkLinks {
 public:
  static Result<NetlinkLinks> open();
  NetlinkLinks(NetlinkLinks&&) noexcept;
  NetlinkLinks& operator=(NetlinkLinks&&) noexcept;
  ~NetlinkLinks();

  Result<std::vector<NetdevInfo>> list();              // every interface, with addresses and speed
  Result<NetdevInfo> get(std::string_view name);        // not_found when absent

  Result<void> set_admin_up(std::string_view name, bool up);
  Result<void> set_mtu(std::string_view name, std::uint32_t mtu);      // 68..65535, else invalid_argument "mtu"
  Result<void> add_address(std::string_view name, std::string_view cidr);     // "198.18.0.1/24", "fd00::1/64"
  Result<void> remove_address(std::string_view name, std::string_view cidr);  // not_found when absent

 private:
  struct Impl;
  explicit NetlinkLinks(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::nic
