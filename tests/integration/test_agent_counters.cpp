// GET /v1/counters against a real kernel: only the managed ports, the token required, the boot id
// the host's own, and carrier_changes and the statistics as sysfs has them in the agent's namespace
// (a flap of the far end counted exactly).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "tests/support/agent_process.hpp"

using namespace mixnet::testing;
using nlohmann::json;

namespace {

std::uint64_t carrier_changes(const AgentProcess& agent) {
  auto r = agent.get("/v1/counters");
  REQUIRE(r.status == 200);
  return r.json().at("ports").at(0).at("netdev").at("carrier_changes").get<std::uint64_t>();
}

}  // namespace

TEST_CASE("counters: the managed ports' counters, with the boot id, behind the token", "[integration][agent][counters]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  net.add_veth(a, "other0", a, "other1");  // in the agent's namespace but not managed
  AgentProcess agent(net, a, "host-a", "mxa*");

  CHECK(agent.call(HttpCall{.target = "/v1/counters"}, /*with_token=*/false).status == 401);

  auto r = agent.get("/v1/counters");
  REQUIRE(r.status == 200);
  const json c = r.json();
  CHECK(c.at("host_id") == "host-a");
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  std::string boot_id;
  boot >> boot_id;
  CHECK(c.at("boot_id") == boot_id);
  REQUIRE(c.at("ports").size() == 1);
  const json& p = c.at("ports").at(0);
  CHECK(p.at("name") == "mxa0");
  CHECK(p.at("ib").is_null());   // veths have no RDMA device
  CHECK(p.at("ifindex").get<std::uint32_t>() > 0);
  for (const char* counter : {"carrier_changes", "rx_errors", "tx_errors", "rx_crc_errors", "rx_dropped", "tx_dropped",
                              "rx_missed_errors", "rx_frame_errors", "rx_bytes", "tx_packets"}) {
    INFO(counter);
    CHECK(p.at("netdev").at(counter).is_number_unsigned());
  }

  // The far end down and up again: the carrier of mxa0 is lost once and returns once.
  const std::uint64_t before = carrier_changes(agent);
  net.ip(b, "link set dev mxb0 down");
  net.ip(b, "link set dev mxb0 up");
  CHECK(carrier_changes(agent) == before + 2);
}
