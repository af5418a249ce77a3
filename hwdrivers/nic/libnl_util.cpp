#include "hwdrivers/nic/libnl_util.hpp"

// glibc's <net/if.h> before the kernel's <linux/if.h>: in that order linux/libc-compat.h keeps
// them from defining the same flags twice (the other order fails when both meet in one unit).
#include <net/if.h>
#include <linux/if.h>
#include <netlink/errno.h>

#include <fmt/format.h>

namespace mixnet::nic::detail {

std::unexpected<Error> fail_nl(std::string_view what, int err) {
  const int code = err < 0 ? -err : err;
  Errc errc = Errc::io;
  switch (code) {
    case NLE_INVAL:
    case NLE_RANGE:
    case NLE_AF_NOSUPPORT: errc = Errc::invalid_argument; break;
    case NLE_OBJ_NOTFOUND:
    case NLE_NOADDR:
    case NLE_NODEV: errc = Errc::not_found; break;
    case NLE_EXIST:
    case NLE_BUSY: errc = Errc::conflict; break;
    case NLE_PERM:
    case NLE_NOACCESS: errc = Errc::denied; break;
    case NLE_OPNOTSUPP: errc = Errc::unavailable; break;
    default: break;
  }
  return fail(errc, fmt::format("{}: {}", what, nl_geterror(code)));
}

Result<NlSocketPtr> connect_route_socket() {
  NlSocketPtr sock(nl_socket_alloc());
  if (!sock) return fail(Errc::io, "nl_socket_alloc: out of memory");
  if (const int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) {
    return fail_nl("connect rtnetlink socket", err);
  }
  return sock;
}

std::string oper_state_name(unsigned oper) {
  switch (oper) {
    case IF_OPER_UNKNOWN: return "unknown";
    case IF_OPER_NOTPRESENT: return "notpresent";
    case IF_OPER_DOWN: return "down";
    case IF_OPER_LOWERLAYERDOWN: return "lowerlayerdown";
    case IF_OPER_TESTING: return "testing";
    case IF_OPER_DORMANT: return "dormant";
    case IF_OPER_UP: return "up";
    default: return fmt::format("state-{}", oper);
  }
}

std::string format_hw_address(const unsigned char* bytes, std::size_t len) {
  std::string out;
  out.reserve(len * 3);
  for (std::size_t i = 0; i < len; ++i) {
    if (i != 0) out += ':';
    out += fmt::format("{:02x}", bytes[i]);
  }
  return out;
}

}  // namespace mixnet::nic::detail
