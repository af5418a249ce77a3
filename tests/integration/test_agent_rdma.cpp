// transport "rdma" on a real agent on a host without an RDMA device (this machine: no device, no
// kernel RDMA support): every request is refused with the port and the reason, never run over
// TCP; malformed RDMA fields are refused naming them; the /peer route behaves.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/agent_process.hpp"

using namespace mixnet::testing;
using nlohmann::json;

namespace {

json endpoint() {
  return json{{"version", 1}, {"verb", "write"}, {"size", 65536}, {"qps", json::array({{{"qpn", 0x1a2}, {"psn", 7}}})},
              {"lid", 0}, {"gid", "0000:0000:0000:0000:0000:ffff:c612:2002"}, {"gid_index", 3}, {"mtu", 1024},
              {"rkey", 4660}, {"addr", 140737488355328ULL}, {"buffer_bytes", 65536}};
}

}  // namespace

TEST_CASE("an agent without an RDMA device refuses transport rdma, naming the port and why",
          "[integration][traffic][rdma]") {
  NetnsFixture net;
  const std::string a = net.add_namespace();
  const std::string b = net.add_namespace();
  net.ip(b, "link add mxpad0 type veth peer name mxpad1");
  net.add_veth(a, "mxr0", b, "mxs0");
  net.ip(a, "addr add 198.18.32.1/24 dev mxr0");
  net.ip(b, "addr add 198.18.32.2/24 dev mxs0");
  AgentProcess agent(net, a, "host-a", "mxr*");

  auto refusal = [&](const std::string& target, const json& body) {
    auto r = agent.post(target, body.dump());
    INFO(target << " " << body.dump() << " -> " << r.status << " " << r.body);
    CHECK(r.status == 503);
    const json error = r.json().at("error");
    CHECK(error.at("code") == "unavailable");
    CHECK(error.at("field") == "port");
    return error.at("message").get<std::string>();
  };
  const std::string server = refusal("/v1/traffic/servers", {{"port", "mxr0"}, {"transport", "rdma"}});
  CHECK_THAT(server, Catch::StartsWith("port mxr0 has no RDMA device: no RDMA devices"));
  const std::string client = refusal("/v1/traffic/runs", {{"port", "mxr0"}, {"transport", "rdma"},
                                                          {"peer", "198.18.32.2"}, {"rdma", {{"peer", endpoint()}}}});
  CHECK(client == server);

  // Nothing ran: no run was created, over RDMA or TCP.
  auto list = agent.get("/v1/traffic/runs");
  REQUIRE(list.status == 200);
  CHECK(list.json().at("runs").empty());

  // The RDMA fields are checked first, naming the bad one.
  auto field = [&](const std::string& target, const json& body) {
    auto r = agent.post(target, body.dump());
    INFO(target << " " << body.dump() << " -> " << r.body);
    CHECK(r.status == 400);
    return r.json().at("error").value("field", std::string());
  };
  json bad = endpoint();
  bad["qps"][0]["qpn"] = 1;
  CHECK(field("/v1/traffic/runs", {{"port", "mxr0"}, {"transport", "rdma"}, {"peer", "198.18.32.2"},
                                   {"rdma", {{"peer", bad}}}}) == "rdma.peer.qps[0].qpn");
  CHECK(field("/v1/traffic/runs", {{"port", "mxr0"}, {"transport", "rdma"}, {"peer", "198.18.32.2"},
                                   {"peer_tcp_port", 5201}, {"rdma", {{"peer", endpoint()}}}}) == "peer_tcp_port");
  CHECK(field("/v1/traffic/servers", {{"port", "mxr0"}, {"transport", "rdma"}, {"rdma", {{"cq_mod", 5}}}}) ==
        "rdma.cq_mod");
  CHECK(field("/v1/traffic/servers", {{"port", "mxr0"}, {"rdma", json::object()}}) == "rdma");

  // /peer: validated, then the run looked up.
  auto peer = agent.post("/v1/traffic/runs/tr-9/peer", json{{"endpoint", endpoint()}}.dump());
  CHECK(peer.status == 404);
  CHECK(peer.json().at("error").at("field") == "id");
  auto malformed = agent.post("/v1/traffic/runs/tr-9/peer", json{{"endpoint", bad}}.dump());
  CHECK(malformed.status == 400);
  CHECK(malformed.json().at("error").at("field") == "endpoint.qps[0].qpn");

  // A TCP server takes no peer endpoint.
  auto tcp = agent.post("/v1/traffic/servers", json{{"port", "mxr0"}, {"accept_timeout_ms", 60000}}.dump());
  REQUIRE(tcp.status == 201);
  const std::string id = tcp.json().at("id");
  auto refused = agent.post("/v1/traffic/runs/" + id + "/peer", json{{"endpoint", endpoint()}}.dump());
  CHECK(refused.status == 409);
  auto del = agent.call(HttpCall{.method = "DELETE", .target = "/v1/traffic/runs/" + id});
  CHECK(del.status == 200);
}
