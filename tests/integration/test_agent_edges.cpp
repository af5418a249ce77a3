// The agent's edges toward the management network (issue 17): a flood of silent connections does
// not lock an authenticated client out, and connections per source address are capped.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tests/support/agent_process.hpp"
#include "tests/support/idle_sockets.hpp"

using namespace mixnet::testing;
using namespace std::chrono_literals;

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
