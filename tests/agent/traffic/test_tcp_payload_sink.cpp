// The TCP server's sink modes on a real loopback connection: copy mode puts every byte in user
// space, in reads no larger than iperf3's; discard mode counts the same bytes and copies none.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

#include "agent/traffic/tcp_payload_sink.hpp"
#include "agent/traffic/tcp_socket.hpp"

using namespace mixnet;
using namespace mixnet::agent::traffic;

namespace {

struct LoopbackPair {
  UniqueFd sender;
  UniqueFd receiver;
};

// A connected TCP pair on 127.0.0.1 (the kernel picks the port); send and receive timeouts keep a
// broken test from hanging (the sender's thread is joined when a failed REQUIRE unwinds).
LoopbackPair connect_loopback() {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(listener.valid());
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(listener.get(), 1) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
  LoopbackPair p{UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), UniqueFd()};
  REQUIRE(::connect(p.sender.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  p.receiver = UniqueFd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  REQUIRE(p.receiver.valid());
  timeval tv{.tv_sec = 5, .tv_usec = 0};
  REQUIRE(::setsockopt(p.receiver.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  REQUIRE(::setsockopt(p.sender.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
  return p;
}

// More than two copy-mode reads' worth, with a pattern that a misplaced byte would break.
std::vector<std::uint8_t> payload() {
  std::vector<std::uint8_t> v(2 * kTcpCopyReadBytes + 12345);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(i * 131 + i / 251);
  return v;
}

// Sends it all, then half-closes so the receiver sees the end of the stream; false on an error.
// On its own thread: the payload is larger than loopback's initial socket buffers.
bool send_all(int fd, const std::vector<std::uint8_t>& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return ::shutdown(fd, SHUT_WR) == 0;
}

}  // namespace

TEST_CASE("copy sink: every received byte lands in user space, in reads of at most 128 KiB", "[traffic][sink]") {
  auto pair = connect_loopback();
  const auto data = payload();
  bool sent = false;
  std::jthread sender([&] { sent = send_all(pair.sender.get(), data); });

  TcpPayloadSink sink(wire::TcpSink::copy);
  std::vector<std::uint8_t> got;
  std::size_t largest = 0;
  for (;;) {
    const ssize_t n = sink.receive(pair.receiver.get());
    REQUIRE(n >= 0);
    if (n == 0) break;
    const auto copied = sink.last_copied();
    REQUIRE(copied.size() == static_cast<std::size_t>(n));
    largest = std::max(largest, copied.size());
    got.insert(got.end(), copied.begin(), copied.end());
  }
  sender.join();
  CHECK(sent);
  CHECK(got == data);
  CHECK(largest <= kTcpCopyReadBytes);
  CHECK(sink.last_copied().empty());  // the end of the stream copies nothing
}

TEST_CASE("discard sink: counts every byte and copies none", "[traffic][sink]") {
  auto pair = connect_loopback();
  const auto data = payload();
  bool sent = false;
  std::jthread sender([&] { sent = send_all(pair.sender.get(), data); });

  TcpPayloadSink sink(wire::TcpSink::discard);
  std::size_t counted = 0;
  std::size_t calls = 0;
  for (;;) {
    const ssize_t n = sink.receive(pair.receiver.get());
    REQUIRE(n >= 0);
    if (n == 0) break;
    counted += static_cast<std::size_t>(n);
    ++calls;
    CHECK(sink.last_copied().empty());
  }
  sender.join();
  CHECK(sent);
  CHECK(counted == data.size());
  CHECK(calls > 0);
  // The kernel never wrote into the buffer (it started zeroed; the payload is mostly non-zero).
  const auto buffer = sink.buffer();
  CHECK(std::count(buffer.begin(), buffer.end(), std::uint8_t{0}) == static_cast<std::ptrdiff_t>(buffer.size()));
}
