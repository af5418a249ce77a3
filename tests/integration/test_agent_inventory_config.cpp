// The agent against a real kernel: inventory, configuration read back with `ip`, authentication,
// limits and ports it must not touch.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/agent_process.hpp"

using namespace mixnet::testing;
using nlohmann::json;

namespace {

json link_of(NetnsFixture& net, const std::string& ns, const std::string& dev) {
  return net.ip_json(ns, "link show dev " + dev).at(0);
}

std::vector<std::string> ipv4_of(NetnsFixture& net, const std::string& ns, const std::string& dev) {
  std::vector<std::string> out;
  const json links = net.ip_json(ns, "addr show dev " + dev);  // kept: the loop must not outlive it
  for (const auto& a : links.at(0).at("addr_info")) {
    if (a.at("family") == "inet") out.push_back(a.at("local").get<std::string>() + "/" + std::to_string(a.at("prefixlen").get<int>()));
  }
  return out;
}

bool has_flag(const json& link, const std::string& flag) {
  for (const auto& f : link.at("flags")) {
    if (f == flag) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("inventory lists exactly the managed ports, as the kernel has them", "[integration][agent]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  net.add_veth(a, "other0", a, "other1");  // in the agent's namespace but not managed
  AgentProcess agent(net, a, "host-a", "mxa*");

  auto r = agent.get("/v1/inventory");
  REQUIRE(r.status == 200);
  const json inv = r.json();
  CHECK(inv.at("host_id") == "host-a");
  CHECK(inv.at("managed_patterns") == json::array({"mxa*"}));
  REQUIRE(inv.at("ports").size() == 1);
  const json& p = inv.at("ports").at(0);
  const json k = link_of(net, a, "mxa0");
  CHECK(p.at("name") == "mxa0");
  CHECK(p.at("ifindex") == k.at("ifindex"));
  CHECK(p.at("mac") == k.at("address"));
  CHECK(p.at("mtu") == k.at("mtu"));
  CHECK(p.at("admin") == "up");
  CHECK(p.at("carrier") == true);
  CHECK(p.at("oper_state") == "up");
  CHECK(p.at("rdma") == json::array());
  // This kernel has no RDMA devices and the inventory says so in words.
  CHECK(inv.at("rdma").at("available") == false);
  CHECK_FALSE(inv.at("rdma").at("note").get<std::string>().empty());
  const auto text = r.body;
  CHECK(text.find("other0") == std::string::npos);
  CHECK(text.find("\"lo\"") == std::string::npos);

  auto one = agent.get("/v1/ports/mxa0");
  REQUIRE(one.status == 200);
  CHECK(one.json().at("mac") == k.at("address"));
  for (const char* hidden : {"/v1/ports/other0", "/v1/ports/lo", "/v1/ports/nosuch0"}) {
    INFO(hidden);
    auto h = agent.get(hidden);
    CHECK(h.status == 404);
    CHECK(h.json().at("error").at("field") == "name");
  }
  auto bad = agent.get("/v1/ports/0123456789abcdefg");
  CHECK(bad.status == 400);
  CHECK(bad.json().at("error").at("field") == "name");
}

TEST_CASE("configuration goes to the kernel and is validated first", "[integration][agent]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  net.add_veth(a, "other0", a, "other1");
  AgentProcess agent(net, a, "host-a", "mxa0");

  SECTION("MTU and addresses, read back with ip") {
    auto r = agent.post("/v1/ports/mxa0/config", R"({"mtu":9000,"add_addresses":["198.18.7.1/24","198.18.8.1/30"]})");
    REQUIRE(r.status == 200);
    const json body = r.json();
    CHECK(body.at("applied") == json::array({"mtu 9000", "add 198.18.7.1/24", "add 198.18.8.1/30"}));
    CHECK(body.at("port").at("mtu") == 9000);
    CHECK(link_of(net, a, "mxa0").at("mtu") == 9000);
    auto v4 = ipv4_of(net, a, "mxa0");
    CHECK(std::find(v4.begin(), v4.end(), "198.18.7.1/24") != v4.end());
    CHECK(std::find(v4.begin(), v4.end(), "198.18.8.1/30") != v4.end());

    // Adding what is there again is a no-op; removing takes it away.
    auto again = agent.post("/v1/ports/mxa0/config", R"({"add_addresses":["198.18.7.1/24"]})");
    REQUIRE(again.status == 200);
    CHECK(again.json().at("applied") == json::array());
    auto rm = agent.post("/v1/ports/mxa0/config", R"({"remove_addresses":["198.18.8.1/30"]})");
    REQUIRE(rm.status == 200);
    CHECK(ipv4_of(net, a, "mxa0") == std::vector<std::string>{"198.18.7.1/24"});
    CHECK(agent.get("/v1/ports/mxa0").json().at("ipv4") == json::array({"198.18.7.1/24"}));

    // Admin down and up.
    REQUIRE(agent.post("/v1/ports/mxa0/config", R"({"admin":"down"})").status == 200);
    CHECK_FALSE(has_flag(link_of(net, a, "mxa0"), "UP"));
    REQUIRE(agent.post("/v1/ports/mxa0/config", R"({"admin":"up"})").status == 200);
    CHECK(has_flag(link_of(net, a, "mxa0"), "UP"));
  }

  SECTION("a bad field is refused with 400 naming it, and nothing is applied") {
    const struct {
      const char* body;
      const char* field;
    } cases[] = {
        {R"({"mtu":70000})", "mtu"},
        {R"({"mtu":67})", "mtu"},
        {R"({"mtu":"9000"})", "mtu"},
        {R"({"mtu":1400,"add_addresses":["198.18.9.1"]})", "add_addresses[0]"},
        {R"({"mtu":1400,"add_addresses":["198.18.9.1/24","300.1.1.1/24"]})", "add_addresses[1]"},
        {R"({"mtu":1400,"remove_addresses":["198.18.9.9/24"]})", "remove_addresses[0]"},  // not assigned
        {R"({"mtu":1400,"admin":"sideways"})", "admin"},
        {R"({"mtu":1400,"speed":100})", "speed"},
        {R"({"mtu":1400)", "body"},
    };
    for (const auto& c : cases) {
      INFO(c.body);
      auto r = agent.post("/v1/ports/mxa0/config", c.body);
      CHECK(r.status == 400);
      CHECK(r.json().at("error").at("field") == c.field);
      CHECK(link_of(net, a, "mxa0").at("mtu") == 1500);
      CHECK(ipv4_of(net, a, "mxa0").empty());
    }
  }

  SECTION("unmanaged ports cannot be touched") {
    for (const char* target : {"/v1/ports/other0/config", "/v1/ports/lo/config", "/v1/ports/mxb0/config"}) {
      INFO(target);
      auto r = agent.post(target, R"({"mtu":1400,"admin":"down"})");
      CHECK(r.status == 404);
    }
    CHECK(link_of(net, a, "other0").at("mtu") == 1500);
    CHECK(has_flag(link_of(net, a, "other0"), "UP"));
    CHECK(has_flag(link_of(net, a, "lo"), "UP"));
  }

  SECTION("without the right token: 401 and nothing changes") {
    auto none = agent.call(HttpCall{.method = "POST", .target = "/v1/ports/mxa0/config", .body = R"({"mtu":1400})"},
                           /*with_token=*/false);
    CHECK(none.status == 401);
    CHECK(none.json().at("error").at("code") == "unauthorized");
    auto wrong = agent.call(HttpCall{.method = "POST", .target = "/v1/ports/mxa0/config", .body = R"({"mtu":1400})",
                                     .token = agent.token() + "x"});
    CHECK(wrong.status == 401);
    auto prefix = agent.call(HttpCall{.method = "POST", .target = "/v1/ports/mxa0/config",
                                      .body = R"({"mtu":1400})", .token = agent.token().substr(0, 3)});
    CHECK(prefix.status == 401);
    CHECK(link_of(net, a, "mxa0").at("mtu") == 1500);
    for (const char* target : {"/v1/inventory", "/v1/events", "/v1/neighbors", "/v1/clock", "/metrics"}) {
      INFO(target);
      CHECK(agent.call(HttpCall{.target = target}, false).status == 401);
    }
    // Health is public so that liveness checks need no secret.
    CHECK(agent.call(HttpCall{.target = "/v1/health"}, false).status == 200);
  }

  SECTION("a body over the limit gets 413 and nothing changes") {
    std::string big = R"({"mtu":1400,"add_addresses":[)";
    while (big.size() < 100 * 1024) big += R"("198.18.9.1/24",)";
    big += R"("198.18.9.2/24"]})";
    auto r = agent.post("/v1/ports/mxa0/config", big);
    CHECK(r.status == 413);
    CHECK(link_of(net, a, "mxa0").at("mtu") == 1500);
    CHECK(ipv4_of(net, a, "mxa0").empty());
  }
}
