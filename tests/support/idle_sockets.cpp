#include "tests/support/idle_sockets.hpp"

#include "common/open_files_limit.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mixnet::testing {

void raise_descriptor_limit(unsigned long wanted) {
  auto now = raise_open_files_limit(wanted);
  if (!now) throw std::runtime_error(now.error().describe());
  if (*now < wanted) throw std::runtime_error("RLIMIT_NOFILE stays at " + std::to_string(*now) + ", below " + std::to_string(wanted));
}

IdleSockets::IdleSockets(const std::string& address, unsigned short port, int count) {
  // Ours, the listener's if it is in this process, and room for everything else.
  raise_descriptor_limit(static_cast<unsigned long>(count) * 2 + 1024);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) throw std::runtime_error("not an IPv4 address: " + address);
  fds_.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    fds_.push_back(fd);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      const int err = errno;
      for (const int f : fds_) ::close(f);
      fds_.clear();
      throw std::runtime_error("connect #" + std::to_string(i) + " to " + address + ":" + std::to_string(port) + ": " +
                               std::strerror(err));
    }
  }
}

IdleSockets::IdleSockets(IdleSockets&& other) noexcept : fds_(std::move(other.fds_)) { other.fds_.clear(); }

IdleSockets::~IdleSockets() {
  for (const int fd : fds_) ::close(fd);
}

std::size_t IdleSockets::closed_by_peer() const {
  std::size_t n = 0;
  for (const int fd : fds_) {
    char c;
    const auto r = ::recv(fd, &c, 1, MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) ++n;
  }
  return n;
}

}  // namespace mixnet::testing
