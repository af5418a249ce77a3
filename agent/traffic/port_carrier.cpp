#include "agent/traffic/port_carrier.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
// glibc's <net/if.h> before the kernel's <linux/if.h>: in that order linux/libc-compat.h keeps
// them from defining the same flags twice (the other order fails when both meet in one unit).
#include <net/if.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace mixnet::agent::traffic {

namespace {

constexpr std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }
constexpr std::size_t kHeader = align4(sizeof(nlmsghdr));

}  // namespace

Result<PortCarrier> PortCarrier::open(int ifindex) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return fail_errno("socket(NETLINK_ROUTE)", errno);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    return fail_errno("bind netlink", errno);
  }
  // The kernel answers at once; a bound wait only guards against a lost answer.
  if (auto r = set_io_timeout(fd.get(), std::chrono::milliseconds(100)); !r) return std::unexpected(r.error());
  return PortCarrier(std::move(fd), ifindex);
}

Result<bool> PortCarrier::in_service() {
  struct {
    nlmsghdr header;
    ifinfomsg info;
  } request{};
  request.header.nlmsg_len = static_cast<std::uint32_t>(kHeader + sizeof(ifinfomsg));
  request.header.nlmsg_type = RTM_GETLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST;
  request.header.nlmsg_seq = ++seq_;
  request.info.ifi_family = AF_UNSPEC;
  request.info.ifi_index = ifindex_;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_.get(), &request, request.header.nlmsg_len, 0, reinterpret_cast<const sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    return fail_errno("RTM_GETLINK", errno);
  }
  // The answer (one RTM_NEWLINK with all of the link's attributes) fits easily; answers to older
  // requests that timed out are skipped by their sequence number.
  std::array<char, 32768> buffer{};
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("RTM_GETLINK answer", errno);
    }
    // Walked by hand: the NLMSG_* walking macros use C casts, which this build refuses.
    std::size_t at = 0;
    while (at + kHeader <= static_cast<std::size_t>(n)) {
      nlmsghdr h{};
      std::memcpy(&h, buffer.data() + at, sizeof h);
      if (h.nlmsg_len < kHeader || at + h.nlmsg_len > static_cast<std::size_t>(n)) break;
      const char* payload = buffer.data() + at + kHeader;
      at += align4(h.nlmsg_len);
      if (h.nlmsg_seq != seq_) continue;
      if (h.nlmsg_type == NLMSG_ERROR && h.nlmsg_len >= kHeader + sizeof(nlmsgerr)) {
        nlmsgerr e{};
        std::memcpy(&e, payload, sizeof e);
        if (e.error == 0) continue;
        return fail_errno("RTM_GETLINK ifindex " + std::to_string(ifindex_), -e.error);
      }
      if (h.nlmsg_type != RTM_NEWLINK || h.nlmsg_len < kHeader + sizeof(ifinfomsg)) continue;
      ifinfomsg info{};
      std::memcpy(&info, payload, sizeof info);
      // Each flag on its own: after <net/if.h>, IFF_UP and IFF_RUNNING are glibc's enum and
      // IFF_LOWER_UP the kernel's, and or-ing two enums' values is deprecated.
      const unsigned need = unsigned{IFF_UP} | unsigned{IFF_LOWER_UP} | unsigned{IFF_RUNNING};
      return (info.ifi_flags & need) == need;
    }
  }
}

}  // namespace mixnet::agent::traffic
