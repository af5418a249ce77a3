// Identity probes between real agents: each side learns who is at the far end of its cable, and
// crossed cables show up as the wrong neighbour.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/agent_process.hpp"

using namespace mixnet::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string mac_of(NetnsFixture& net, const std::string& ns, const std::string& dev) {
  return net.ip_json(ns, "link show dev " + dev).at(0).at("address");
}

json probe(const AgentProcess& agent, const json& request) {
  auto r = agent.post("/v1/probes", request.dump());
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json();
}

// The neighbours a port has seen with this nonce, waiting (bounded) for the frames to arrive.
json neighbours_with_nonce(const AgentProcess& agent, const std::string& port, std::uint64_t nonce,
                           std::size_t expect = 1) {
  json list = json::array();
  for (int i = 0; i < 100; ++i) {
    auto r = agent.get("/v1/neighbors?port=" + port + "&nonce=" + std::to_string(nonce));
    REQUIRE(r.status == 200);
    const json body = r.json();
    REQUIRE(body.at("ports").size() == 1);
    list = body.at("ports").at(0).at("neighbors");
    if (list.size() >= expect) break;
    std::this_thread::sleep_for(10ms);
  }
  return list;
}

}  // namespace

TEST_CASE("probes in both directions name the right neighbour", "[integration][agent]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  AgentProcess agent_a(net, a, "host-a", "mxa0");
  AgentProcess agent_b(net, b, "host-b", "mxb0");

  const json sent = probe(agent_a, {{"ports", {"mxa0"}}, {"count", 3}, {"nonce", 1111}});
  CHECK(sent.at("host_id") == "host-a");
  CHECK(sent.at("nonce") == 1111);
  REQUIRE(sent.at("ports").size() == 1);
  CHECK(sent.at("ports").at(0).at("sent") == 3);
  CHECK_FALSE(sent.at("ports").at(0).contains("error"));

  const json at_b = neighbours_with_nonce(agent_b, "mxb0", 1111);
  REQUIRE(at_b.size() == 1);
  CHECK(at_b.at(0).at("host_id") == "host-a");
  CHECK(at_b.at(0).at("port") == "mxa0");
  CHECK(at_b.at(0).at("mac") == mac_of(net, a, "mxa0"));
  CHECK(at_b.at(0).at("last_nonce") == 1111);
  CHECK(at_b.at(0).at("last_send_time_ns") == sent.at("ports").at(0).at("last_send_time_ns"));
  CHECK(at_b.at(0).at("last_receive_time_ns").get<std::int64_t>() >=
        at_b.at(0).at("last_send_time_ns").get<std::int64_t>());

  // The sender does not list itself.
  auto at_a_self = agent_a.get("/v1/neighbors?port=mxa0").json();
  CHECK(at_a_self.at("ports").at(0).at("neighbors").empty());

  // The other direction, with a nonce the agent picks.
  const json back = probe(agent_b, json::object());
  const std::uint64_t nonce = back.at("nonce");
  const json at_a = neighbours_with_nonce(agent_a, "mxa0", nonce);
  REQUIRE(at_a.size() == 1);
  CHECK(at_a.at(0).at("host_id") == "host-b");
  CHECK(at_a.at(0).at("port") == "mxb0");
  CHECK(at_a.at(0).at("mac") == mac_of(net, b, "mxb0"));

  // Bad probe requests name the field; unmanaged ports are not probed.
  auto unknown = agent_a.post("/v1/probes", R"({"ports":["lo"]})");
  CHECK(unknown.status == 400);
  CHECK(unknown.json().at("error").at("field") == "ports[0]");
  auto count = agent_a.post("/v1/probes", R"({"count":1000})");
  CHECK(count.status == 400);
  CHECK(count.json().at("error").at("field") == "count");
  CHECK(agent_a.get("/v1/neighbors?port=lo").status == 404);

  // Clearing forgets what was heard.
  CHECK(agent_a.call(HttpCall{.method = "DELETE", .target = "/v1/neighbors"}).status == 200);
  CHECK(agent_a.get("/v1/neighbors").json().at("ports").at(0).at("neighbors").empty());

  const auto metrics = agent_b.get("/metrics").body;
  CHECK(metrics.find("mixnet_agent_probes_received_total{port=\"mxb0\"} 3") != std::string::npos);
  CHECK(metrics.find("mixnet_agent_probes_sent_total{port=\"mxb0\"} 1") != std::string::npos);
}

TEST_CASE("crossed cables: the probe reveals the wrong neighbour", "[integration][agent]") {
  // Intended cabling: mxa1 <-> mxb1 and mxa2 <-> mxb2. Actually patched: crossed.
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa1", b, "mxb2");
  net.add_veth(a, "mxa2", b, "mxb1");
  AgentProcess agent_a(net, a, "host-a", "mxa1,mxa2");
  AgentProcess agent_b(net, b, "host-b", "mxb[12]");

  const json sent = probe(agent_a, {{"nonce", 4242}});  // every managed port
  REQUIRE(sent.at("ports").size() == 2);
  for (const auto& p : sent.at("ports")) CHECK(p.at("sent") == 1);

  // What a coordinator expecting mxa1 <-> mxb1 finds: mxb1 hears mxa2, mxb2 hears mxa1.
  const json on_b1 = neighbours_with_nonce(agent_b, "mxb1", 4242);
  const json on_b2 = neighbours_with_nonce(agent_b, "mxb2", 4242);
  REQUIRE(on_b1.size() == 1);
  REQUIRE(on_b2.size() == 1);
  CHECK(on_b1.at(0).at("host_id") == "host-a");
  CHECK(on_b1.at(0).at("port") == "mxa2");
  CHECK(on_b1.at(0).at("mac") == mac_of(net, a, "mxa2"));
  CHECK(on_b2.at(0).at("port") == "mxa1");
  CHECK(on_b2.at(0).at("mac") == mac_of(net, a, "mxa1"));

  // Re-patch to the intended cabling (move the B ends) and probe again with a new nonce.
  net.ip(a, "link del dev mxa1");
  net.ip(a, "link del dev mxa2");
  net.add_veth(a, "mxa1", b, "mxb1");
  net.add_veth(a, "mxa2", b, "mxb2");
  // The agents follow ports that come and go: probe until both B ports have heard the new nonce
  // (bounded), since either side's sockets may still be reopening.
  json fixed_b1 = json::array();
  json fixed_b2 = json::array();
  for (int i = 0; i < 100 && (fixed_b1.empty() || fixed_b2.empty()); ++i) {
    agent_a.post("/v1/probes", R"({"nonce":5353})");
    std::this_thread::sleep_for(20ms);
    const json nb = agent_b.get("/v1/neighbors?nonce=5353").json();
    for (const auto& p : nb.at("ports")) {
      if (p.at("port") == "mxb1") fixed_b1 = p.at("neighbors");
      if (p.at("port") == "mxb2") fixed_b2 = p.at("neighbors");
    }
  }
  REQUIRE(fixed_b1.size() == 1);
  REQUIRE(fixed_b2.size() == 1);
  CHECK(fixed_b1.at(0).at("port") == "mxa1");
  CHECK(fixed_b2.at(0).at("port") == "mxa2");
}

namespace {

// The `neighbor` events in an agent's journal after `after`.
std::vector<json> neighbor_events(const AgentProcess& agent, std::uint64_t after) {
  std::vector<json> out;
  auto r = agent.get("/v1/events?after=" + std::to_string(after));
  REQUIRE(r.status == 200);
  const json page = r.json();   // held: a range-for over a temporary's member would dangle
  for (const auto& ev : page.at("events")) {
    if (ev.at("kind") == "neighbor") out.push_back(ev);
  }
  return out;
}

std::uint64_t journal_end(const AgentProcess& agent) {
  auto r = agent.get("/v1/events?after=0");
  REQUIRE(r.status == 200);
  return r.json().at("next_after");
}

// Waits (bounded) until the agent has journaled a neighbour event after `after`.
std::vector<json> wait_for_neighbor(const AgentProcess& agent, std::uint64_t after) {
  std::vector<json> got;
  for (int i = 0; i < 250 && got.empty(); ++i) {
    got = neighbor_events(agent, after);
    if (got.empty()) std::this_thread::sleep_for(20ms);
  }
  return got;
}

}  // namespace

TEST_CASE("a port learns who is at the far end on its own as its carrier comes up, and journals it",
          "[integration][agent][neighbor]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.ip(b, "link add mxpad0 type veth peer name mxpad1");   // urgent carrier changes (see TwoHosts)
  net.add_veth(a, "mxa0", b, "mxb0");
  AgentProcess agent_a(net, a, "host-a", "mxa0");
  AgentProcess agent_b(net, b, "host-b", "mxb0");
  const std::uint64_t after_a = journal_end(agent_a);
  const std::uint64_t after_b = journal_end(agent_b);

  // A re-patch, as the OCS makes one: the far end goes dark and comes back.
  net.ip(b, "link set dev mxb0 down");
  std::this_thread::sleep_for(100ms);
  net.ip(b, "link set dev mxb0 up");

  // Both ends heard each other, whichever came up first, without a probe request.
  const auto at_a = wait_for_neighbor(agent_a, after_a);
  const auto at_b = wait_for_neighbor(agent_b, after_b);
  REQUIRE(at_a.size() >= 1);
  REQUIRE(at_b.size() >= 1);
  CHECK(at_a.at(0).at("port") == "mxa0");
  CHECK(at_a.at(0).at("source") == "probe");
  CHECK(at_a.at(0).at("neighbor").at("host_id") == "host-b");
  CHECK(at_a.at(0).at("neighbor").at("port") == "mxb0");
  CHECK(at_a.at(0).at("neighbor").at("mac") == mac_of(net, b, "mxb0"));
  CHECK(at_b.at(0).at("port") == "mxb0");
  CHECK(at_b.at(0).at("neighbor").at("host_id") == "host-a");
  CHECK(at_b.at(0).at("neighbor").at("port") == "mxa0");
  // Once per carrier-up: the repeated hellos and the answers add no event.
  std::this_thread::sleep_for(300ms);
  CHECK(neighbor_events(agent_a, after_a).size() == 1);
  CHECK(neighbor_events(agent_b, after_b).size() == 1);

  // The cable moved: mxb0 now goes to another host's port. The new far end is journaled.
  const auto c = net.add_namespace();
  net.ip(a, "link del dev mxa0");   // takes mxb0 with it
  net.add_veth(c, "mxc0", b, "mxb0");
  AgentProcess agent_c(net, c, "host-c", "mxc0");
  const std::uint64_t after_b2 = journal_end(agent_b);
  net.ip(b, "link set dev mxb0 down");
  std::this_thread::sleep_for(100ms);
  net.ip(b, "link set dev mxb0 up");
  const auto moved = wait_for_neighbor(agent_b, after_b2);
  REQUIRE(moved.size() >= 1);
  CHECK(moved.back().at("neighbor").at("host_id") == "host-c");
  CHECK(moved.back().at("neighbor").at("port") == "mxc0");
}

TEST_CASE("hellos do not cross an electrical switch: no neighbour is learnt through a bridge", "[integration][agent][neighbor]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  const auto sw = net.add_namespace();
  net.ip(sw, "link add mxbr0 type bridge");
  net.ip(sw, "link set dev mxbr0 up");
  net.add_veth(a, "mxa0", sw, "mxsa");
  net.add_veth(b, "mxb0", sw, "mxsb");
  net.ip(sw, "link set dev mxsa master mxbr0");
  net.ip(sw, "link set dev mxsb master mxbr0");
  AgentProcess agent_a(net, a, "host-a", "mxa0");
  AgentProcess agent_b(net, b, "host-b", "mxb0");
  const std::uint64_t after_a = journal_end(agent_a);
  const std::uint64_t after_b = journal_end(agent_b);

  // Both ports' carrier goes and comes back (their switch ports flap): each sends hellos.
  net.ip(sw, "link set dev mxsa down");
  net.ip(sw, "link set dev mxsb down");
  std::this_thread::sleep_for(100ms);
  net.ip(sw, "link set dev mxsa up");
  net.ip(sw, "link set dev mxsb up");
  // A broadcast probe does cross the bridge (the electrical verification relies on it)...
  std::this_thread::sleep_for(500ms);   // the bridge ports forward again
  const json sent = probe(agent_a, {{"ports", {"mxa0"}}, {"nonce", 777}});
  REQUIRE(sent.at("ports").at(0).at("sent") == 1);
  REQUIRE(neighbours_with_nonce(agent_b, "mxb0", 777).size() == 1);
  // ... but the hellos did not, and a broadcast probe is no neighbour event.
  std::this_thread::sleep_for(500ms);
  CHECK(neighbor_events(agent_a, after_a).empty());
  CHECK(neighbor_events(agent_b, after_b).empty());
  const auto metrics = agent_a.get("/metrics").body;
  CHECK(metrics.find("mixnet_agent_probes_sent_total{port=\"mxa0\"} 4") != std::string::npos);   // 3 hellos, 1 probe
}
