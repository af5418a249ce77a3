#pragma once
// Sockets for the TCP engine, always bound to one data port: SO_BINDTODEVICE (so packets can only
// leave and arrive through that netdev) plus a bind to the port's own address (so the source
// address is the port's, whatever the routing table prefers). Every connect has a deadline.
#include <chrono>
#include <cstdint>
#include <netinet/in.h>
#include <optional>
#include <string>
#include <sys/socket.h>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace mixnet::agent::traffic {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  [[nodiscard]] int family() const { return storage.ss_family; }
  [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// "198.18.0.1" or "fd00::1" (a link-local IPv6 address gets the port's ifindex as its scope).
Result<SocketAddress> make_address(const std::string& ip, std::uint16_t port, int ifindex);
std::string address_text(const sockaddr_storage& addr);

// A listening socket on device:local_ip:tcp_port (0: any free port).
Result<UniqueFd> listen_on_port(const std::string& device, int ifindex, const std::string& local_ip, std::uint16_t tcp_port);
Result<std::uint16_t> local_tcp_port(int fd);

struct ConnectOptions {
  std::chrono::milliseconds timeout{3000};
  std::optional<std::chrono::milliseconds> user_timeout;  // TCP_USER_TIMEOUT: unacknowledged data this long breaks it
};

// A connected socket from device:local_ip to peer:peer_port, within the timeout. Returned blocking.
Result<UniqueFd> connect_from_port(const std::string& device, int ifindex, const std::string& local_ip,
                             const std::string& peer, std::uint16_t peer_port, const ConnectOptions& options);

// Makes the coming close() reset the connection (SO_LINGER 0), so the peer sees an abort rather than
// a clean end: a cancelled run must not look finished to the other side.
void reset_on_close(int fd);

// SO_RCVTIMEO and SO_SNDTIMEO, so blocking calls wake up to look at deadlines and cancels.
Result<void> set_io_timeout(int fd, std::chrono::milliseconds timeout);
// The I/O timeout of the traffic runs' blocking socket calls: how often they look at their stop flags.
inline constexpr std::chrono::milliseconds kStopCheckEvery{100};

}  // namespace mixnet::agent::traffic
