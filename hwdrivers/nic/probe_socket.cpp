// ProbeSocket: one AF_PACKET socket per managed port. The socket is created with protocol 0 (it
// receives nothing) and only then bound to the port and the probe EtherType, so no frame from
// another interface can slip into its queue in between.
#include "hwdrivers/nic/probe_socket.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/clock.hpp"
#include "common/unique_fd.hpp"

namespace mixnet::nic {

namespace {

constexpr std::size_t kReceiveBuffer = 2048;  // any probe is < 200 bytes; bigger frames are not probes

Result<ifreq> interface_request(int fd, unsigned long request, int ifindex, const std::string& ifname, const char* what) {
  ifreq ifr{};
  ifr.ifr_ifindex = ifindex;
  std::memcpy(ifr.ifr_name, ifname.data(), ifname.size());
  if (ioctl(fd, request, &ifr) != 0) return fail_errno(fmt::format("probe socket {}: {}", ifname, what), errno);
  return ifr;
}

}  // namespace

struct ProbeSocket::Impl {
  UniqueFd fd;
  int ifindex = 0;
  std::string ifname;
  MacAddress mac{};
  std::uint64_t ignored = 0;
  std::array<std::uint8_t, kReceiveBuffer> buffer{};

};

ProbeSocket::ProbeSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProbeSocket::ProbeSocket(ProbeSocket&&) noexcept = default;
ProbeSocket& ProbeSocket::operator=(ProbeSocket&&) noexcept = default;
ProbeSocket::~ProbeSocket() = default;

Result<ProbeSocket> ProbeSocket::open(int ifindex, const std::string& ifname) {
  if (ifindex <= 0) return fail(Errc::invalid_argument, fmt::format("ifindex: {} is not an interface index", ifindex), "ifindex");
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return fail(Errc::invalid_argument, fmt::format("ifname: interface names are 1..{} bytes", IFNAMSIZ - 1), "ifname");
  }
  auto impl = std::make_unique<Impl>();
  impl->ifindex = ifindex;
  impl->ifname = ifname;
  impl->fd.reset(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!impl->fd.valid()) return fail_errno(fmt::format("probe socket {}: socket(AF_PACKET)", ifname), errno);

  // The index and the name must agree in this namespace, or we would probe out of the wrong port.
  auto named = interface_request(impl->fd.get(), SIOCGIFNAME, ifindex, {}, "look up ifindex");
  if (!named) return fail(Errc::not_found, fmt::format("ifindex: no interface with index {}", ifindex), "ifindex");
  if (ifname != named->ifr_name) {
    return fail(Errc::invalid_argument,
                fmt::format("ifname: interface {} is named '{}', not '{}'", ifindex, named->ifr_name, ifname), "ifname");
  }
  auto hw = interface_request(impl->fd.get(), SIOCGIFHWADDR, ifindex, ifname, "read MAC");
  if (!hw) return std::unexpected(hw.error());
  std::memcpy(impl->mac.data(), hw->ifr_hwaddr.sa_data, impl->mac.size());

  // Our own transmissions are looped back to every packet socket but the sender; another
  // ProbeSocket on this port (or a restarted agent) must not hear itself as a neighbour. Kernels
  // before 4.20 lack the option (ENOPROTOOPT): receive() drops PACKET_OUTGOING frames there.
  const int one = 1;
  if (::setsockopt(impl->fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0 && errno != ENOPROTOOPT) {
    return fail_errno(fmt::format("probe socket {}: PACKET_IGNORE_OUTGOING", ifname), errno);
  }

  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(kProbeEtherType);
  addr.sll_ifindex = ifindex;
  if (::bind(impl->fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return fail_errno(fmt::format("probe socket {}: bind", ifname), errno);
  }
  // The far end's hellos go to the nearest-bridge group: a NIC that filters multicast must be
  // told to pass it up (the membership lasts as long as the socket).
  packet_mreq group{};
  group.mr_ifindex = ifindex;
  group.mr_type = PACKET_MR_MULTICAST;
  group.mr_alen = ETH_ALEN;
  std::memcpy(group.mr_address, kNearestBridgeGroup.data(), ETH_ALEN);
  if (::setsockopt(impl->fd.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
    return fail_errno(fmt::format("probe socket {}: join the nearest-bridge group {}", ifname, format_mac(kNearestBridgeGroup)), errno);
  }
  return ProbeSocket(std::move(impl));
}

int ProbeSocket::fd() const { return impl_->fd.get(); }
const std::string& ProbeSocket::ifname() const { return impl_->ifname; }
std::uint64_t ProbeSocket::ignored() const { return impl_->ignored; }

Result<void> ProbeSocket::send(const ProbeFrame& frame) {
  ProbeFrame out = frame;
  if (std::all_of(out.source.begin(), out.source.end(), [](std::uint8_t b) { return b == 0; })) out.source = impl_->mac;
  auto bytes = encode_probe(out);
  if (!bytes) return std::unexpected(bytes.error());
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(kProbeEtherType);
  to.sll_ifindex = impl_->ifindex;
  to.sll_halen = ETH_ALEN;
  std::memcpy(to.sll_addr, out.destination.data(), ETH_ALEN);
  const ssize_t n = ::sendto(impl_->fd.get(), bytes->data(), bytes->size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (n < 0) return fail_errno(fmt::format("probe send on {}", impl_->ifname), errno);
  if (static_cast<std::size_t>(n) != bytes->size()) {
    return fail(Errc::io, fmt::format("probe send on {}: sent {} of {} bytes", impl_->ifname, n, bytes->size()));
  }
  return {};
}

Result<std::optional<ReceivedProbe>> ProbeSocket::receive() {
  for (;;) {
    sockaddr_ll from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(impl_->fd.get(), impl_->buffer.data(), impl_->buffer.size(), MSG_TRUNC,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
    const std::int64_t now = realtime_ns();
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) return std::optional<ReceivedProbe>{};
      return fail_errno(fmt::format("probe receive on {}", impl_->ifname), err);
    }
    if (from.sll_pkttype == PACKET_OUTGOING) continue;  // our own frame, on kernels without IGNORE_OUTGOING
    if (static_cast<std::size_t>(n) > impl_->buffer.size()) {  // MSG_TRUNC: the real length was larger
      ++impl_->ignored;
      continue;
    }
    auto frame = decode_probe(std::span<const std::uint8_t>(impl_->buffer.data(), static_cast<std::size_t>(n)));
    if (!frame) {
      ++impl_->ignored;
      continue;
    }
    return std::optional<ReceivedProbe>(ReceivedProbe{std::move(*frame), now});
  }
}

}  // namespace mixnet::nic
