// NetlinkLinks: interface inventory and configuration over one rtnetlink socket (libnl-route-3).
// Every read asks the kernel afresh (no long-lived libnl cache), so what we report is what the
// kernel holds now, including changes made by others.
#include "hwdrivers/nic/netlink_links.hpp"

#include <arpa/inet.h>
// glibc's <net/if.h> before the kernel's <linux/if.h>: in that order linux/libc-compat.h keeps
// them from defining the same flags twice (the other order fails when both meet in one unit).
#include <net/if.h>
#include <linux/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "common/cidr.hpp"
#include "common/unique_fd.hpp"
#include "hwdrivers/nic/ethtool_speed.hpp"
#include "hwdrivers/nic/libnl_util.hpp"

namespace mixnet::nic {

using detail::fail_nl;
using detail::NlAddrPtr;
using detail::NlCachePtr;
using detail::NlSocketPtr;
using detail::RtnlAddrPtr;
using detail::RtnlLinkPtr;

namespace {

constexpr std::uint32_t kMinMtu = 68;     // the IPv4 minimum (RFC 791)
constexpr std::uint32_t kMaxMtu = 65535;  // IP's own limit; drivers may allow less

Result<void> check_name(std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return fail(Errc::invalid_argument, fmt::format("name: interface names are 1..{} bytes", IFNAMSIZ - 1),
                "name");
  }
  if (name.find('\0') != std::string_view::npos || name.find('/') != std::string_view::npos) {
    return fail(Errc::invalid_argument, "name: not a valid interface name", "name");
  }
  return {};
}

// "198.18.0.1/24" from a libnl address and the address object's prefix length.
std::string format_cidr(nl_addr* local, unsigned prefixlen) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const int family = nl_addr_get_family(local);
  if (inet_ntop(family, nl_addr_get_binary_addr(local), text.data(), text.size()) == nullptr) return {};
  return fmt::format("{}/{}", text.data(), prefixlen);
}

NetdevInfo describe_link(rtnl_link* link) {
  NetdevInfo info;
  if (const char* name = rtnl_link_get_name(link)) info.name = name;
  info.ifindex = rtnl_link_get_ifindex(link);
  if (nl_addr* hw = rtnl_link_get_addr(link)) {
    info.mac = detail::format_hw_address(static_cast<const unsigned char*>(nl_addr_get_binary_addr(hw)),
                                         nl_addr_get_len(hw));
  }
  info.mtu = rtnl_link_get_mtu(link);
  const unsigned flags = rtnl_link_get_flags(link);
  info.admin_up = (flags & IFF_UP) != 0;
  info.carrier = (flags & IFF_LOWER_UP) != 0;
  info.oper_state = detail::oper_state_name(rtnl_link_get_operstate(link));
  return info;
}

}  // namespace

struct NetlinkLinks::Impl {
  NlSocketPtr sock;
  UniqueFd ethtool_fd;  // any socket in the same namespace carries SIOCETHTOOL

  Result<RtnlLinkPtr> fetch(std::string_view name) {
    if (auto ok = check_name(name); !ok) return std::unexpected(ok.error());
    const std::string n(name);
    rtnl_link* raw = nullptr;
    if (const int err = rtnl_link_get_kernel(sock.get(), 0, n.c_str(), &raw); err < 0) {
      const int code = -err;
      if (code == NLE_OBJ_NOTFOUND || code == NLE_NODEV) {
        return fail(Errc::not_found, fmt::format("name: no interface named '{}'", n), "name");
      }
      return fail_nl(fmt::format("read link {}", n), err);
    }
    return RtnlLinkPtr(raw);
  }

  // Dumps every address once and files each under the interface it belongs to.
  Result<void> attach_addresses(std::vector<NetdevInfo>& infos) {
    nl_cache* raw = nullptr;
    if (const int err = rtnl_addr_alloc_cache(sock.get(), &raw); err < 0) return fail_nl("dump addresses", err);
    const NlCachePtr cache(raw);
    for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr; obj = nl_cache_get_next(obj)) {
      auto* addr = reinterpret_cast<rtnl_addr*>(obj);
      nl_addr* local = rtnl_addr_get_local(addr);
      if (local == nullptr) continue;
      const int ifindex = rtnl_addr_get_ifindex(addr);
      auto it = std::find_if(infos.begin(), infos.end(), [&](const NetdevInfo& i) { return i.ifindex == ifindex; });
      if (it == infos.end()) continue;
      std::string cidr = format_cidr(local, rtnl_addr_get_prefixlen(addr));
      if (cidr.empty()) continue;
      const int family = rtnl_addr_get_family(addr);
      if (family == AF_INET) it->ipv4.push_back(std::move(cidr));
      else if (family == AF_INET6) it->ipv6.push_back(std::move(cidr));
    }
    return {};
  }

  Result<void> change(std::string_view name, const char* what, void (*apply)(rtnl_link*, unsigned), unsigned arg) {
    auto orig = fetch(name);
    if (!orig) return std::unexpected(orig.error());
    RtnlLinkPtr changes(rtnl_link_alloc());
    if (!changes) return fail(Errc::io, "rtnl_link_alloc: out of memory");
    apply(changes.get(), arg);
    if (const int err = rtnl_link_change(sock.get(), orig->get(), changes.get(), 0); err < 0) {
      return fail_nl(fmt::format("{} {}", what, name), err);
    }
    return {};
  }

  // An rtnl_addr naming (ifindex, address/prefix), as both add and delete need it.
  Result<RtnlAddrPtr> address_object(std::string_view name, std::string_view cidr) {
    auto normal = normalize_cidr(cidr, "address");
    if (!normal) return std::unexpected(normal.error());
    auto link = fetch(name);
    if (!link) return std::unexpected(link.error());
    nl_addr* raw_local = nullptr;
    if (const int err = nl_addr_parse(normal->c_str(), AF_UNSPEC, &raw_local); err < 0) {
      return std::unexpected(fail_nl(fmt::format("address: parse '{}'", *normal), err).error());
    }
    const NlAddrPtr local(raw_local);
    RtnlAddrPtr addr(rtnl_addr_alloc());
    if (!addr) return fail(Errc::io, "rtnl_addr_alloc: out of memory");
    rtnl_addr_set_ifindex(addr.get(), rtnl_link_get_ifindex(link->get()));
    rtnl_addr_set_family(addr.get(), nl_addr_get_family(local.get()));
    if (const int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0) {
      return std::unexpected(fail_nl("address: set local", err).error());
    }
    rtnl_addr_set_prefixlen(addr.get(), static_cast<int>(nl_addr_get_prefixlen(local.get())));
    return addr;
  }
};

NetlinkLinks::NetlinkLinks(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NetlinkLinks::NetlinkLinks(NetlinkLinks&&) noexcept = default;
NetlinkLinks& NetlinkLinks::operator=(NetlinkLinks&&) noexcept = default;
NetlinkLinks::~NetlinkLinks() = default;

Result<NetlinkLinks> NetlinkLinks::open() {
  auto sock = detail::connect_route_socket();
  if (!sock) return std::unexpected(sock.error().context("open netlink links"));
  UniqueFd ethtool_fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!ethtool_fd.valid()) return std::unexpected(fail_errno("open netlink links: ethtool socket", errno).error());
  return NetlinkLinks(std::unique_ptr<Impl>(new Impl{std::move(*sock), std::move(ethtool_fd)}));
}

Result<std::vector<NetdevInfo>> NetlinkLinks::list() {
  nl_cache* raw = nullptr;
  if (const int err = rtnl_link_alloc_cache(impl_->sock.get(), AF_UNSPEC, &raw); err < 0) {
    return fail_nl("list links", err);
  }
  const NlCachePtr cache(raw);
  std::vector<NetdevInfo> infos;
  for (nl_object* obj = nl_cache_get_first(cache.get()); obj != nullptr; obj = nl_cache_get_next(obj)) {
    infos.push_back(describe_link(reinterpret_cast<rtnl_link*>(obj)));
  }
  std::sort(infos.begin(), infos.end(), [](const NetdevInfo& a, const NetdevInfo& b) { return a.ifindex < b.ifindex; });
  if (auto ok = impl_->attach_addresses(infos); !ok) return std::unexpected(ok.error().context("list links"));
  for (auto& info : infos) info.speed_mbps = detail::ethtool_speed_mbps(impl_->ethtool_fd.get(), info.name);
  return infos;
}

Result<NetdevInfo> NetlinkLinks::get(std::string_view name) {
  auto link = impl_->fetch(name);
  if (!link) return std::unexpected(link.error());
  std::vector<NetdevInfo> one{describe_link(link->get())};
  if (auto ok = impl_->attach_addresses(one); !ok) return std::unexpected(ok.error().context("get link"));
  one.front().speed_mbps = detail::ethtool_speed_mbps(impl_->ethtool_fd.get(), one.front().name);
  return std::move(one.front());
}

Result<void> NetlinkLinks::set_admin_up(std::string_view name, bool up) {
  return impl_->change(name, up ? "set up" : "set down",
                       up ? +[](rtnl_link* l, unsigned) { rtnl_link_set_flags(l, IFF_UP); }
                          : +[](rtnl_link* l, unsigned) { rtnl_link_unset_flags(l, IFF_UP); },
                       0);
}

Result<void> NetlinkLinks::set_mtu(std::string_view name, std::uint32_t mtu) {
  if (mtu < kMinMtu || mtu > kMaxMtu) {
    return fail(Errc::invalid_argument, fmt::format("mtu: must be {}..{}, got {}", kMinMtu, kMaxMtu, mtu), "mtu");
  }
  auto done = impl_->change(name, "set MTU", [](rtnl_link* l, unsigned m) { rtnl_link_set_mtu(l, m); }, mtu);
  // The kernel refuses an MTU outside the driver's own range with EINVAL: that is the MTU's fault.
  if (!done && done.error().code == Errc::invalid_argument && done.error().field.empty()) {
    Error e = done.error();
    e.field = "mtu";
    e.message = fmt::format("mtu: {} refused by the driver of {}: {}", mtu, name, e.message);
    return std::unexpected(e);
  }
  return done;
}

Result<void> NetlinkLinks::add_address(std::string_view name, std::string_view cidr) {
  auto addr = impl_->address_object(name, cidr);
  if (!addr) return std::unexpected(addr.error());
  if (const int err = rtnl_addr_add(impl_->sock.get(), addr->get(), NLM_F_EXCL); err < 0) {
    if (-err == NLE_EXIST) {
      return fail(Errc::conflict, fmt::format("address: {} is already on {}", cidr, name), "address");
    }
    return fail_nl(fmt::format("add address {} to {}", cidr, name), err);
  }
  return {};
}

Result<void> NetlinkLinks::remove_address(std::string_view name, std::string_view cidr) {
  auto addr = impl_->address_object(name, cidr);
  if (!addr) return std::unexpected(addr.error());
  if (const int err = rtnl_addr_delete(impl_->sock.get(), addr->get(), 0); err < 0) {
    const int code = -err;
    if (code == NLE_NOADDR || code == NLE_OBJ_NOTFOUND) {
      return fail(Errc::not_found, fmt::format("address: {} is not on {}", cidr, name), "address");
    }
    return fail_nl(fmt::format("remove address {} from {}", cidr, name), err);
  }
  return {};
}

}  // namespace mixnet::nic
