#pragma once
// A scripted TL1 server for the tests that need exact misbehaviour a real switch (and the
// emulator) would not show on demand: replies cut into single bytes across writes, autonomous
// messages in between, stale ctags, silence, garbage. Loopback only; every wait has a deadline.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "hwdrivers/ocs/tl1_codec.hpp"

namespace mixnet::testing {

struct FakeAction {
  std::vector<std::string> chunks;   // written one by one, with `gap` between them
  std::chrono::milliseconds delay{0};   // before the first chunk
  std::chrono::milliseconds gap{0};
  bool close_after = false;          // close the connection after writing
};

class FakeTl1Server {
 public:
  using Script = std::function<FakeAction(const ocs::tl1::Command&)>;

  explicit FakeTl1Server(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 8) != 0)
      throw std::runtime_error("fake TL1 server: bind/listen failed");
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeTl1Server() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  [[nodiscard]] unsigned short port() const { return port_; }

  struct Seen {
    ocs::tl1::Command cmd;
    std::int64_t at_ns;   // monotonic, when the command was read
  };
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  int connections() const { return connections_; }

  // A reply in REFERENCE.md's shape.
  static std::string reply(const std::string& ctag, std::vector<std::string> lines = {}) {
    return ocs::tl1::format_reply({.tid = "FAKE", .date = "26-11-29", .time = "07:00:00", .ctag = ctag, .lines = std::move(lines)});
  }
  static std::string deny(const std::string& ctag, const std::string& code, const std::string& text) {
    return ocs::tl1::format_reply({.tid = "FAKE", .date = "26-11-29", .time = "07:00:00", .ctag = ctag,
                                   .completion = ocs::tl1::Completion::deny, .error_code = code, .error_text = text});
  }
  static std::vector<std::string> bytes(const std::string& s) {
    std::vector<std::string> out;
    for (char c : s) out.emplace_back(1, c);
    return out;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      const int one = 1;
      if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        ::close(fd);  // a fake that cannot set up its socket drops the connection: the test sees it
        continue;
      }
      session(fd);
      ::close(fd);
    }
  }
  void session(int fd) {
    ocs::tl1::CommandFramer framer;
    char buf[4096];
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      const int n = ::poll(&p, 1, 50);
      if (n <= 0) continue;
      const auto got = ::recv(fd, buf, sizeof buf, 0);
      if (got <= 0) return;
      framer.feed(std::string_view(buf, static_cast<std::size_t>(got)));
      while (auto text = framer.next()) {
        auto cmd = ocs::tl1::parse_command(*text);
        if (!cmd) continue;
        {
          std::lock_guard lock(mutex_);
          seen_.push_back({*cmd, monotonic_ns()});
        }
        const FakeAction act = script_(*cmd);
        std::this_thread::sleep_for(act.delay);
        for (std::size_t i = 0; i < act.chunks.size(); ++i) {
          if (i > 0) std::this_thread::sleep_for(act.gap);
          if (::send(fd, act.chunks[i].data(), act.chunks[i].size(), MSG_NOSIGNAL) < 0) return;
        }
        if (act.close_after) return;
      }
    }
  }

  Script script_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::vector<Seen> seen_;
  std::thread thread_;
};

}  // namespace mixnet::testing
