// The agent's edges toward the management network (issue 17): a flood of silent connections does
// not lock an authenticated client out, connections per source address are capped, and the token
// can be rotated with SIGHUP without a restart.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <thread>

#include "tests/support/agent_process.hpp"
#include "tests/support/idle_sockets.hpp"

using namespace mixnet::testing;
using namespace std::chrono_literals;

namespace {

// Replaces the token file in one rename, so the agent never reads half a file.
void replace_token_file(const std::string& path, const std::string& content, mode_t mode) {
  const std::string tmp = path + ".new";
  std::ofstream(tmp) << content << "\n";
  REQUIRE(::chmod(tmp.c_str(), mode) == 0);
  REQUIRE(std::rename(tmp.c_str(), path.c_str()) == 0);
}

unsigned status_with_token(const AgentProcess& agent, const std::string& token) {
  HttpCall c{.method = "GET", .target = "/v1/clock", .token = token};
  return agent.call(c).status;
}

// Polls (bounded) until `token` gets `status`; the agent handles SIGHUP asynchronously.
bool becomes(const AgentProcess& agent, const std::string& token, unsigned status) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (status_with_token(agent, token) == status) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// Waits (bounded) until the agent's log holds `text`.
bool log_shows(const AgentProcess& agent, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (agent.log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("1000 silent connections do not lock an authenticated client out of the agent",
          "[integration][agent][edges]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  AgentProcess agent(net, a, "host-a", "mxa0");

  raise_descriptor_limit(4096);  // the limit is the process's: the namespace's thread shares it
  auto flood = net.run_in(a, [] { return IdleSockets("127.0.0.1", kAgentPort, 1000); });
  REQUIRE(flood.size() == 1000);

  // The next authenticated request is answered (from the same address as the flood), within a
  // generous bound; before, it was refused at once and for up to the 60 s idle deadline.
  auto reply = agent.get("/v1/clock", 5s);
  CHECK(reply.status == 200);
  // One address holds at most 64 connections (the per-source cap, below the 512 in all): every
  // other silent one was closed to make room, and the client closes them on its side too.
  CHECK(flood.closed_by_peer() >= 1000 - 64);
  auto metrics = agent.get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("mixnet_agent_http_connections_evicted_total"));
  CHECK_THAT(metrics.body, Catch::Contains("mixnet_agent_http_connections_rejected_total 0"));
}

TEST_CASE("the agent re-reads its token on SIGHUP and keeps the old one when the new file is bad",
          "[integration][agent][edges]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  AgentProcess agent(net, a, "host-a", "mxa0");
  const std::string old_token = agent.token();
  REQUIRE(status_with_token(agent, old_token) == 200);

  // Rotation: the new token passes, the old one is refused once the agent has re-read the file.
  replace_token_file(agent.token_path(), "rotated-1", 0600);
  REQUIRE(::kill(agent.pid(), SIGHUP) == 0);
  CHECK(becomes(agent, "rotated-1", 200));
  CHECK(status_with_token(agent, old_token) == 401);
  CHECK(log_shows(agent, "token re-read from " + agent.token_path()));

  SECTION("a file others may read is refused; the current token stays") {
    replace_token_file(agent.token_path(), "rotated-2", 0644);
    REQUIRE(::kill(agent.pid(), SIGHUP) == 0);
    CHECK(log_shows(agent, "mode 0644 lets group/others read it"));
    CHECK(status_with_token(agent, "rotated-1") == 200);
    CHECK(status_with_token(agent, "rotated-2") == 401);
  }
  SECTION("a missing file is refused; the current token stays") {
    REQUIRE(std::remove(agent.token_path().c_str()) == 0);
    REQUIRE(::kill(agent.pid(), SIGHUP) == 0);
    CHECK(log_shows(agent, "keeping the current token"));
    CHECK(status_with_token(agent, "rotated-1") == 200);
  }
}
