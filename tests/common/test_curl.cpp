// The libcurl wrapper against a one-shot HTTP server on 127.0.0.1: the body limit, the error
// codes of a failed transfer, whether a request went out.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "common/http/curl.hpp"

using namespace mixnet;
using namespace std::chrono_literals;

namespace {

// Listens on an ephemeral loopback port; serve() answers one request with a 200 and `body`.
class OneShotServer {
 public:
  OneShotServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 1) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  OneShotServer(const OneShotServer&) = delete;
  OneShotServer& operator=(const OneShotServer&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  void serve(std::string body) {
    thread_ = std::thread([this, content = std::move(body)] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      std::string request;
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(content.size()) +
                                "\r\nConnection: close\r\n\r\n" + content;
      for (std::size_t off = 0; off < reply.size();) {
        const ssize_t n = ::send(c, reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;   // the client gave up (a body over the limit)
        off += static_cast<std::size_t>(n);
      }
      ::close(c);
    });
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("curl: a reply body is collected up to the one limit, and a longer one fails the transfer", "[curl]") {
  {
    OneShotServer server;
    server.serve("hello");
    curl::Easy easy;
    REQUIRE(easy.valid());
    std::string body;
    easy.prepare(server.url(), 2000ms, 1000ms, body);
    easy.set_method("GET");
    CHECK(easy.perform() == CURLE_OK);
    CHECK(easy.status() == 200);
    CHECK(body == "hello");
    CHECK(easy.request_went_out());
  }
  {
    OneShotServer server;
    server.serve(std::string(curl::kMaxBody + 1, 'x'));
    curl::Easy easy;
    std::string body;
    easy.prepare(server.url(), 5000ms, 1000ms, body);
    CHECK(easy.perform() == CURLE_WRITE_ERROR);
    CHECK(body.size() <= curl::kMaxBody);
    CHECK(curl::errc_for(CURLE_WRITE_ERROR) == Errc::io);
  }
}

TEST_CASE("curl: no connection is unavailable, and nothing went out", "[curl]") {
  std::uint16_t closed_port = 0;
  {
    OneShotServer gone;   // a port that was just free: nobody listens once it closes
    closed_port = static_cast<std::uint16_t>(std::stoi(gone.url().substr(gone.url().rfind(':') + 1)));
  }
  curl::Easy easy;
  std::string body;
  easy.prepare("http://127.0.0.1:" + std::to_string(closed_port) + "/", 2000ms, 1000ms, body);
  const CURLcode rc = easy.perform();
  CHECK(rc == CURLE_COULDNT_CONNECT);
  CHECK(curl::errc_for(rc) == Errc::unavailable);
  CHECK_FALSE(easy.request_went_out());
  CHECK(curl::errc_for(CURLE_OPERATION_TIMEDOUT) == Errc::timeout);
  CHECK(curl::errc_for(CURLE_COULDNT_RESOLVE_HOST) == Errc::unavailable);
}

TEST_CASE("curl: handles move, and a moved-from handle holds none", "[curl]") {
  curl::Easy a;
  REQUIRE(a.valid());
  CURL* raw = a.get();
  curl::Easy b = std::move(a);
  CHECK_FALSE(a.valid());   // the moved-from state is the point
  CHECK(b.get() == raw);
  curl::Headers h;
  CHECK(h.empty());
  h.add("Accept: application/json");
  curl::Headers g = std::move(h);
  CHECK(h.empty());
  CHECK_FALSE(g.empty());
  curl::Multi m;
  CHECK(m.valid());
}
