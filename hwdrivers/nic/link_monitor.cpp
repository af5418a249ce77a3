// LinkMonitor: RTM_NEWLINK / RTM_DELLINK from the RTNLGRP_LINK multicast group. We read the
// datagrams ourselves (recvmsg on libnl's socket) rather than through nl_recvmsgs so that the
// timestamp is taken immediately after each read, and so that ENOBUFS reaches us as errno
// instead of being folded into a generic libnl code. libnl's nlmsg_* / nla_* helpers do the parsing.
#include "hwdrivers/nic/link_monitor.hpp"

// glibc's <net/if.h> before the kernel's <linux/if.h>: in that order linux/libc-compat.h keeps
// them from defining the same flags twice (the other order fails when both meet in one unit).
#include <net/if.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include <fmt/format.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "common/clock.hpp"
#include "hwdrivers/nic/libnl_util.hpp"

namespace mixnet::nic {

namespace {

// Large enough for any single link message (NLMSG_GOODSIZE is a page; VF-heavy NICs send more).
constexpr std::size_t kRecvBuffer = 64 * 1024;
// A deep socket queue makes overruns rare when many ports flap at once; SO_RCVBUFFORCE needs
// CAP_NET_ADMIN, which the agent has; without it the default stays and overruns are reported.
constexpr int kSocketBuffer = 4 * 1024 * 1024;

const nla_policy* link_policy() {
  static const auto policy = [] {
    std::array<nla_policy, IFLA_MAX + 1> p{};
    p[IFLA_IFNAME].type = NLA_STRING;
    p[IFLA_IFNAME].maxlen = IFNAMSIZ;
    p[IFLA_OPERSTATE].type = NLA_U8;
    return p;
  }();
  return policy.data();
}

// One RTM_NEWLINK / RTM_DELLINK as a LinkState; nullopt for anything else or a malformed message.
std::optional<LinkState> parse_link_message(nlmsghdr* hdr, std::int64_t read_time_ns) {
  if (hdr->nlmsg_type != RTM_NEWLINK && hdr->nlmsg_type != RTM_DELLINK) return std::nullopt;
  if (nlmsg_valid_hdr(hdr, sizeof(ifinfomsg)) == 0) return std::nullopt;
  std::array<nlattr*, IFLA_MAX + 1> tb{};
  if (nlmsg_parse(hdr, sizeof(ifinfomsg), tb.data(), IFLA_MAX, link_policy()) < 0) return std::nullopt;
  const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(hdr));
  // AF_BRIDGE messages describe a port's bridge membership on the same group; an RTM_DELLINK of
  // that family means "left the bridge", not "the link is gone". Only AF_UNSPEC is the link itself.
  if (ifi->ifi_family != AF_UNSPEC) return std::nullopt;

  LinkState state;
  state.ifindex = ifi->ifi_index;
  if (tb[IFLA_IFNAME] != nullptr) {
    std::array<char, IFNAMSIZ> name{};
    nla_strlcpy(name.data(), tb[IFLA_IFNAME], name.size());
    state.name = name.data();
  }
  state.admin_up = (ifi->ifi_flags & IFF_UP) != 0;
  state.carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
  state.oper_state = detail::oper_state_name(tb[IFLA_OPERSTATE] != nullptr ? static_cast<unsigned>(nla_get_u8(tb[IFLA_OPERSTATE]))
                                                                            : static_cast<unsigned>(IF_OPER_UNKNOWN));
  state.removed = hdr->nlmsg_type == RTM_DELLINK;
  state.read_time_ns = read_time_ns;
  return state;
}

}  // namespace

struct LinkMonitor::Impl {
  detail::NlSocketPtr sock;
  std::vector<unsigned char> buffer = std::vector<unsigned char>(kRecvBuffer);
};

LinkMonitor::LinkMonitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LinkMonitor::LinkMonitor(LinkMonitor&&) noexcept = default;
LinkMonitor& LinkMonitor::operator=(LinkMonitor&&) noexcept = default;
LinkMonitor::~LinkMonitor() = default;

Result<LinkMonitor> LinkMonitor::open() {
  auto sock = detail::connect_route_socket();
  if (!sock) return std::unexpected(sock.error().context("open link monitor"));
  nl_sock* sk = sock->get();
  // Multicast notifications carry sequence number 0; libnl must not reject them.
  nl_socket_disable_seq_check(sk);
  if (const int err = nl_socket_add_memberships(sk, RTNLGRP_LINK, 0); err < 0) {
    return detail::fail_nl("open link monitor: join RTNLGRP_LINK", err);
  }
  if (const int err = nl_socket_set_nonblocking(sk); err < 0) {
    return detail::fail_nl("open link monitor: set non-blocking", err);
  }
  const int fd = nl_socket_get_fd(sk);
  // SO_RCVBUFFORCE needs CAP_NET_ADMIN; without it, SO_RCVBUF (capped at net.core.rmem_max).
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kSocketBuffer, sizeof kSocketBuffer) != 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof kSocketBuffer) != 0) {
    return fail_errno("open link monitor: SO_RCVBUF", errno);
  }
  return LinkMonitor(std::unique_ptr<Impl>(new Impl{std::move(*sock)}));
}

int LinkMonitor::fd() const { return nl_socket_get_fd(impl_->sock.get()); }

Result<std::vector<LinkState>> LinkMonitor::drain() {
  std::vector<LinkState> states;
  const int fd = this->fd();
  for (;;) {
    sockaddr_nl from{};
    iovec iov{impl_->buffer.data(), impl_->buffer.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
    const std::int64_t now = realtime_ns();  // first thing after the read: this is the event's time
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) break;
      if (err == ENOBUFS) {
        return fail(Errc::io, Cause::netlink_overrun,
                    "link monitor: kernel socket buffer overrun (ENOBUFS); link events were lost, re-read the link table");
      }
      return fail_errno("link monitor: recvmsg", err);
    }
    if ((msg.msg_flags & MSG_TRUNC) != 0) {
      return fail(Errc::io, Cause::netlink_overrun,
                  fmt::format("link monitor: message truncated at {} bytes (treated as an overrun); re-read the link table",
                              impl_->buffer.size()));
    }
    if (from.nl_pid != 0) continue;  // only the kernel speaks for the link table
    int remaining = static_cast<int>(n);
    for (auto* hdr = reinterpret_cast<nlmsghdr*>(impl_->buffer.data()); nlmsg_ok(hdr, remaining) != 0;
         hdr = nlmsg_next(hdr, &remaining)) {
      if (auto state = parse_link_message(hdr, now)) states.push_back(std::move(*state));
    }
  }
  return states;
}

}  // namespace mixnet::nic
