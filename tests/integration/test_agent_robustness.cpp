// Slow, silent and malformed clients: every read has a deadline, so none of them holds the agent.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "tests/support/agent_process.hpp"

using namespace mixnet::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A TCP connection to the agent opened inside its namespace (the socket stays there).
int connect_in(NetnsFixture& net, const std::string& ns) {
  return net.run_in(ns, [] {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(kAgentPort);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      throw std::runtime_error("connect failed");
    }
    return fd;
  });
}

// True when the peer closed the connection within the bound (read returns 0 or an error).
bool closed_within(int fd, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) > 0) {
      char buf[512];
      const auto n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("silent and trickling clients do not hold the agent", "[integration][agent]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  AgentProcess agent(net, a, "host-a", "mxa0");

  // Many connections that never say anything, and one that stops in the middle of its headers.
  std::vector<int> silent;
  for (int i = 0; i < 20; ++i) silent.push_back(connect_in(net, a));
  const int trickle = connect_in(net, a);
  const std::string partial = "GET /v1/inventory HTTP/1.1\r\nHost: x\r\n";
  REQUIRE(::write(trickle, partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));

  // Everyone else is served at once.
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) REQUIRE(agent.get("/v1/clock").status == 200);
  auto inv = agent.get("/v1/inventory");
  REQUIRE(inv.status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  auto clock = agent.get("/v1/clock").json();
  const std::int64_t now = now_realtime_ns();
  CHECK(std::llabs(clock.at("realtime_ns").get<std::int64_t>() - now) < 1'000'000'000);

  // The half-sent request is cut off by the read deadline (10 s), not left open.
  CHECK(closed_within(trickle, 15s));
  ::close(trickle);
  for (int fd : silent) ::close(fd);
  CHECK(agent.get("/v1/health").status == 200);
}

TEST_CASE("malformed requests get 4xx with the field named", "[integration][agent]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  AgentProcess agent(net, a, "host-a", "mxa0");

  const struct {
    const char* method;
    const char* target;
    const char* body;
    unsigned status;
    const char* field;
  } cases[] = {
      {"GET", "/v1/events?after=x", "", 400, "after"},
      {"GET", "/v1/events?wait=5", "", 400, "wait"},
      {"GET", "/v1/events?limit=0", "", 400, "limit"},
      {"GET", "/v1/neighbors?nonce=-1", "", 400, "nonce"},
      {"POST", "/v1/probes", "[1,2]", 400, "body"},
      {"POST", "/v1/probes", R"({"ports":["mxa0"],"count":0})", 400, "count"},
      {"POST", "/v1/ports/mxa0/config", "", 400, "body"},
      {"POST", "/v1/ports/mxa0/config", "{}", 400, "body"},
      {"GET", "/v1/nosuch", "", 404, "path"},
      {"DELETE", "/v1/inventory", "", 405, "method"},
      {"GET", "/v1/ports/%zz", "", 400, "target"},
  };
  for (const auto& c : cases) {
    INFO(c.method << " " << c.target << " " << c.body);
    auto r = agent.call(HttpCall{.method = c.method, .target = c.target, .body = c.body});
    CHECK(r.status == c.status);
    CHECK(r.json().at("error").at("field") == c.field);
  }
  CHECK(agent.get("/v1/health").status == 200);  // still serving
}
