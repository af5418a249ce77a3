#pragma once
// Private to hwdrivers/nic: owning handles for libnl objects and libnl error codes as Errors.
// libnl reports failures as negative NLE_* codes, not errno, so they need their own mapping.
#include <memory>
#include <string>
#include <string_view>

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "common/result.hpp"

namespace mixnet::nic::detail {

template <auto Fn>
struct FnDeleter {
  template <class T>
  void operator()(T* p) const noexcept { if (p != nullptr) Fn(p); }
};

using NlSocketPtr = std::unique_ptr<nl_sock, FnDeleter<nl_socket_free>>;
using NlCachePtr = std::unique_ptr<nl_cache, FnDeleter<nl_cache_free>>;
using RtnlLinkPtr = std::unique_ptr<rtnl_link, FnDeleter<rtnl_link_put>>;
using RtnlAddrPtr = std::unique_ptr<rtnl_addr, FnDeleter<rtnl_addr_put>>;
using NlAddrPtr = std::unique_ptr<nl_addr, FnDeleter<nl_addr_put>>;

// "<what>: <libnl's message>", with an Errc chosen from the code (err may be negative or positive).
[[nodiscard]] std::unexpected<Error> fail_nl(std::string_view what, int err);

// An rtnetlink socket connected in the calling thread's network namespace.
Result<NlSocketPtr> connect_route_socket();

// RFC 2863 operational state as the kernel's IF_OPER_* number, by the names `ip` prints in lower case.
std::string oper_state_name(unsigned oper);

// Link-layer address bytes as colon-separated lower-case hex ("02:00:00:00:00:01").
std::string format_hw_address(const unsigned char* bytes, std::size_t len);

}  // namespace mixnet::nic::detail
