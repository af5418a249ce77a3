#include "agent/traffic/tcp_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace mixnet::agent::traffic {

Result<SocketAddress> make_address(const std::string& ip, std::uint16_t port, int ifindex) {
  SocketAddress a;
  if (ip.find(':') == std::string::npos) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    if (inet_pton(AF_INET, ip.c_str(), &sin->sin_addr) != 1) return fail(Errc::invalid_argument, "not an IPv4 address: " + ip);
    a.length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    if (inet_pton(AF_INET6, ip.c_str(), &sin6->sin6_addr) != 1) return fail(Errc::invalid_argument, "not an IPv6 address: " + ip);
    if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) sin6->sin6_scope_id = static_cast<std::uint32_t>(ifindex);
    a.length = sizeof(sockaddr_in6);
  }
  return a;
}

std::string address_text(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, text, sizeof text);
  }
  return text;
}

namespace {

// A socket pinned to the device and bound to local_ip:local_port.
Result<UniqueFd> bound_socket(const std::string& device, int ifindex, const std::string& local_ip, std::uint16_t local_port) {
  auto local = make_address(local_ip, local_port, ifindex);
  if (!local) return std::unexpected(local.error());
  UniqueFd fd(::socket(local->family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fail_errno("socket", errno);
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size())) != 0) {
    return fail_errno("SO_BINDTODEVICE " + device, errno);
  }
  const int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return fail_errno("SO_REUSEADDR", errno);
  if (::bind(fd.get(), local->get(), local->length) != 0) {
    return fail_errno("bind " + local_ip + ":" + std::to_string(local_port) + " on " + device, errno);
  }
  return fd;
}

}  // namespace

Result<UniqueFd> listen_on_port(const std::string& device, int ifindex, const std::string& local_ip, std::uint16_t tcp_port) {
  auto fd = bound_socket(device, ifindex, local_ip, tcp_port);
  if (!fd) return std::unexpected(fd.error());
  if (::listen(fd->get(), 128) != 0) return fail_errno("listen", errno);
  return fd;
}

Result<std::uint16_t> local_tcp_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return fail_errno("getsockname", errno);
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

Result<UniqueFd> connect_from_port(const std::string& device, int ifindex, const std::string& local_ip,
                             const std::string& peer, std::uint16_t peer_port, const ConnectOptions& options) {
  auto remote = make_address(peer, peer_port, ifindex);
  if (!remote) return std::unexpected(remote.error());
  auto fd = bound_socket(device, ifindex, local_ip, 0);
  if (!fd) return std::unexpected(fd.error());
  if (options.user_timeout) {
    const unsigned ms = static_cast<unsigned>(options.user_timeout->count());
    if (::setsockopt(fd->get(), IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof ms) != 0) {
      return fail_errno("TCP_USER_TIMEOUT", errno);
    }
  }
  const int flags = ::fcntl(fd->get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd->get(), F_SETFL, flags | O_NONBLOCK) != 0) return fail_errno("fcntl O_NONBLOCK", errno);
  const std::string what = "connect " + peer + ":" + std::to_string(peer_port) + " from " + device;
  if (::connect(fd->get(), remote->get(), remote->length) != 0) {
    if (errno != EINPROGRESS) return fail_errno(what, errno);
    pollfd p{.fd = fd->get(), .events = POLLOUT, .revents = 0};
    const int n = ::poll(&p, 1, static_cast<int>(options.timeout.count()));
    if (n < 0) return fail_errno(what, errno);
    if (n == 0) return fail(Errc::timeout, what + ": no answer within " + std::to_string(options.timeout.count()) + " ms");
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd->get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) return fail_errno(what, errno);
    if (err != 0) return fail_errno(what, err);
  }
  if (::fcntl(fd->get(), F_SETFL, flags) != 0) return fail_errno("fcntl", errno);
  return fd;
}

void reset_on_close(int fd) {
  const linger l{.l_onoff = 1, .l_linger = 0};
  // Best effort: the close happens anyway, but a peer that then sees a clean end is worth a line.
  if (::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) != 0) {
    spdlog::warn("{}", fail_errno(fmt::format("reset on close (fd {}): SO_LINGER", fd), errno).error().message);
  }
}

Result<void> set_io_timeout(int fd, std::chrono::milliseconds timeout) {
  timeval tv{.tv_sec = static_cast<time_t>(timeout.count() / 1000),
             .tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) return fail_errno("SO_RCVTIMEO", errno);
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) return fail_errno("SO_SNDTIMEO", errno);
  return {};
}

}  // namespace mixnet::agent::traffic
