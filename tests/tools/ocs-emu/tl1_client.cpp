#include "tests/tools/ocs-emu/tl1_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace mixnet::testing {

namespace {

std::runtime_error sys_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

}  // namespace

Tl1Client::Tl1Client(unsigned short port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw sys_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Loopback connects complete at once or fail at once; no deadline is needed for them.
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const auto e = sys_error("connect 127.0.0.1:" + std::to_string(port));
    ::close(fd_);
    throw e;
  }
  int one = 1;
  if (::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    const auto e = sys_error("TCP_NODELAY");
    ::close(fd_);
    throw e;
  }
}

Tl1Client::~Tl1Client() {
  if (fd_ >= 0) ::close(fd_);
}

void Tl1Client::send(const std::string& bytes) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::size_t done = 0;
  while (done < bytes.size()) {
    pollfd p{fd_, POLLOUT, 0};
    const int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r == 0) throw std::runtime_error("TL1 send timed out");
    if (r < 0) throw sys_error("poll");
    const auto n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0) throw sys_error("send");
    done += static_cast<std::size_t>(n);
  }
}

ocs::tl1::Reply Tl1Client::read_reply() {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    auto next = framer_.next();
    if (!next) throw std::runtime_error("malformed TL1 reply: " + next.error().describe());
    if (*next) return std::move(**next);
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r == 0) throw std::runtime_error("TL1 reply timed out");
    if (r < 0) throw sys_error("poll");
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) throw std::runtime_error("TL1 connection closed by the switch");
    if (n < 0) throw sys_error("recv");
    framer_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

ocs::tl1::Reply Tl1Client::command(const std::string& text) {
  send(text + "\r\n");
  return read_reply();
}

void Tl1Client::login(const std::string& user, const std::string& password) {
  const auto r = command("ACT-USER::" + user + ":login::" + password + ";");
  if (r.completion != ocs::tl1::Completion::compld) throw std::runtime_error("login denied: " + r.error_code);
}

bool Tl1Client::closed_by_peer() {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r == 0) return false;
    if (r < 0) throw sys_error("poll");
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
    framer_.feed(std::string_view(buf, static_cast<std::size_t>(n)));   // keep any bytes for read_reply
  }
}

}  // namespace mixnet::testing
