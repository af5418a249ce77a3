// A layer's flows on cases computed by hand (docs/topologies.md, "How a layer's bytes are sent"):
// circuits carry their pairs split evenly, the rest goes over the electrical ports, bytes are
// whole and sum exactly to the demand, and every input that cannot be planned is refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "coordinator/replay/replay_plan.hpp"
#include "topogen_inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::replay;

namespace {

// A resolved topology of the given circuits ("h1:ocs0", "h2:ocs0").
Topology hand_topology(const Inventory& inv, const std::vector<std::pair<std::string, std::string>>& circuits) {
  Topology t{.name = "t"};
  for (const auto& [a, b] : circuits) t.circuits.push_back({*PortRef::parse(a), *PortRef::parse(b), 0});
  auto ok = resolve_topology(t, inv);
  if (!ok) FAIL(ok.error().message);
  return t;
}

ReplayFlow hand_flow(const std::string& from, const std::string& to, std::uint64_t bytes, FlowPath path) {
  return {*PortRef::parse(from), *PortRef::parse(to), bytes, path};
}

std::vector<ReplayFlow> hand_flows(const Result<std::vector<ReplayFlow>>& r) {
  INFO((r ? std::string() : r.error().describe()));
  REQUIRE(r.has_value());
  return *r;
}

std::string hand_text(const std::vector<ReplayFlow>& flows) {
  std::string out;
  for (const auto& f : flows) out += f.from.str() + " -> " + f.to.str() + " " + std::to_string(f.bytes) + " " + std::string(path_name(f.path)) + "\n";
  return out;
}

bool hand_same_flow(const ReplayFlow& x, const ReplayFlow& y) { return x.from == y.from && x.to == y.to && x.bytes == y.bytes && x.path == y.path; }

void hand_check_same(const std::vector<ReplayFlow>& got, const std::vector<ReplayFlow>& want) {
  INFO("got:\n" << hand_text(got) << "want:\n" << hand_text(want));
  REQUIRE(got.size() == want.size());
  CHECK(std::equal(got.begin(), got.end(), want.begin(), hand_same_flow));
}

}  // namespace

TEST_CASE("replay plan: one circuit carries its pair both ways, from the sender's end", "[unit][replay]") {
  const auto inv = topogen_test::uniform_inventory(2, 1);
  const auto t = hand_topology(inv, {{"h2:ocs0", "h1:ocs0"}});
  const auto demand = topogen_test::demand_of({"h1", "h2"}, {{0, 1000}, {301, 0}});
  hand_check_same(hand_flows(layer_flows(demand, &t, inv)),
             {hand_flow("h1:ocs0", "h2:ocs0", 1000, FlowPath::circuit), hand_flow("h2:ocs0", "h1:ocs0", 301, FlowPath::circuit)});
}

TEST_CASE("replay plan: two circuits split a pair's bytes, the spare byte on the first, nothing empty", "[unit][replay]") {
  const auto inv = topogen_test::uniform_inventory(2, 2);
  const auto t = hand_topology(inv, {{"h1:ocs0", "h2:ocs1"}, {"h1:ocs1", "h2:ocs0"}});
  // 1000.6 bytes round to 1001: 501 + 500. One byte back: one flow, the other share is empty.
  const auto demand = topogen_test::demand_of({"h1", "h2"}, {{0, 1000.6}, {1, 0}});
  hand_check_same(hand_flows(layer_flows(demand, &t, inv)),
             {hand_flow("h1:ocs0", "h2:ocs1", 501, FlowPath::circuit), hand_flow("h1:ocs1", "h2:ocs0", 500, FlowPath::circuit),
              hand_flow("h2:ocs1", "h1:ocs0", 1, FlowPath::circuit)});
  // Less than half a byte is nothing to send.
  const auto tiny = topogen_test::demand_of({"h1", "h2"}, {{0, 0.4}, {0, 0}});
  CHECK(hand_flows(layer_flows(tiny, &t, inv)).empty());
}

TEST_CASE("replay plan: electrical bytes split over two ports each way, every port used both ways", "[unit][replay]") {
  const auto inv = topogen_test::make_topogen_inventory({{"h1", {}, 2}, {"h2", {}, 2}}, {{"s", ""}});
  const auto demand = topogen_test::demand_of({"h1", "h2"}, {{0, 1001}, {600, 0}});
  const auto flows = hand_flows(layer_flows(demand, nullptr, inv));
  // h1 (the first sender) sends port a to h2's port a; h2 (the second) to h1's port a + 1.
  hand_check_same(flows, {hand_flow("h1:eps0", "h2:eps0", 501, FlowPath::eps), hand_flow("h1:eps1", "h2:eps1", 500, FlowPath::eps),
                     hand_flow("h2:eps0", "h1:eps1", 300, FlowPath::eps), hand_flow("h2:eps1", "h1:eps0", 300, FlowPath::eps)});
  std::set<PortRef> senders, receivers;
  for (const auto& f : flows) {
    senders.insert(f.from);
    receivers.insert(f.to);
  }
  CHECK(senders.size() == 4);
  CHECK(receivers.size() == 4);
}

TEST_CASE("replay plan: without a topology every pair goes through the electrical switch", "[unit][replay]") {
  const auto inv = topogen_test::uniform_inventory(3, 1);
  const auto t = hand_topology(inv, {{"h1:ocs0", "h2:ocs0"}});
  const auto demand = topogen_test::demand_of({"h1", "h2", "h3"}, {{0, 70, 20}, {0, 0, 0}, {0, 5, 0}});
  hand_check_same(hand_flows(layer_flows(demand, nullptr, inv)),
             {hand_flow("h1:eps0", "h2:eps0", 70, FlowPath::eps), hand_flow("h1:eps0", "h3:eps0", 20, FlowPath::eps),
              hand_flow("h3:eps0", "h2:eps0", 5, FlowPath::eps)});
  // With the circuit, h1 -> h2 takes it and the pairs without one stay electrical.
  hand_check_same(hand_flows(layer_flows(demand, &t, inv)),
             {hand_flow("h1:ocs0", "h2:ocs0", 70, FlowPath::circuit), hand_flow("h1:eps0", "h3:eps0", 20, FlowPath::eps),
              hand_flow("h3:eps0", "h2:eps0", 5, FlowPath::eps)});
}

TEST_CASE("replay plan: flows are ordered largest first, then by sending port, then by receiving port", "[unit][replay]") {
  const auto inv = topogen_test::uniform_inventory(3, 1);
  const auto demand = topogen_test::demand_of({"h3", "h1", "h2"}, {{0, 10, 10}, {10, 0, 40}, {10, 10, 0}});
  hand_check_same(hand_flows(layer_flows(demand, nullptr, inv)),
             {hand_flow("h1:eps0", "h2:eps0", 40, FlowPath::eps), hand_flow("h1:eps0", "h3:eps0", 10, FlowPath::eps),
              hand_flow("h2:eps0", "h1:eps0", 10, FlowPath::eps), hand_flow("h2:eps0", "h3:eps0", 10, FlowPath::eps),
              hand_flow("h3:eps0", "h1:eps0", 10, FlowPath::eps), hand_flow("h3:eps0", "h2:eps0", 10, FlowPath::eps)});
}

TEST_CASE("replay plan: a host's bytes to itself never become a flow", "[unit][replay]") {
  const auto inv = topogen_test::make_topogen_inventory({{"h1", {}, 2}, {"h2", {}, 1}}, {{"s", ""}});
  const auto demand = topogen_test::demand_of({"h1", "h2"}, {{5000, 3}, {0, 7000}});
  hand_check_same(hand_flows(layer_flows(demand, nullptr, inv)),
             {hand_flow("h1:eps0", "h2:eps0", 2, FlowPath::eps), hand_flow("h1:eps1", "h2:eps0", 1, FlowPath::eps)});
}

TEST_CASE("replay plan: a host without an electrical port is fine while circuits carry all its bytes", "[unit][replay]") {
  const auto inv = topogen_test::make_topogen_inventory({{"h1", {"s"}, 0}, {"h2", {"s"}, 1}}, {{"s", ""}});
  const auto t = hand_topology(inv, {{"h1:ocs0", "h2:ocs0"}});
  const auto demand = topogen_test::demand_of({"h1", "h2"}, {{0, 9}, {4, 0}});
  hand_check_same(hand_flows(layer_flows(demand, &t, inv)),
             {hand_flow("h1:ocs0", "h2:ocs0", 9, FlowPath::circuit), hand_flow("h2:ocs0", "h1:ocs0", 4, FlowPath::circuit)});
  // Electrical only it cannot send: the error names both hosts and what each has.
  const auto r = layer_flows(demand, nullptr, inv);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_argument);
  CHECK(r.error().field == "eps");
  CHECK_THAT(r.error().message, Catch::Contains("h1 -> h2: 9 bytes need the electrical switch"));
  CHECK_THAT(r.error().message, Catch::Contains("h1: no electrical port; h2: e"));
}

TEST_CASE("replay plan: two hosts on different electrical switches cannot meet there", "[unit][replay]") {
  const auto inv = parse_inventory(R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1000"}
    ports:
      - {name: eps0, eps: {switch: e1}}
  - name: h2
    agent: {url: "http://127.0.0.1:1001"}
    ports:
      - {name: eps0, eps: {switch: e2}}
      - {name: eps1, eps: {switch: e2}}
switches:
  - {name: e1, kind: eps}
  - {name: e2, kind: eps}
)",
                                   "two-eps.yaml", "");
  REQUIRE(inv.has_value());
  const auto r = layer_flows(topogen_test::demand_of({"h1", "h2"}, {{0, 0}, {12, 0}}), nullptr, *inv);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_argument);
  CHECK(r.error().field == "eps");
  CHECK_THAT(r.error().message, Catch::Contains("h2 -> h1: 12 bytes"));
  CHECK_THAT(r.error().message, Catch::Contains("h2 and h1 share no electrical switch (h2: e2; h1: e1)"));
}

TEST_CASE("replay plan: unknown hosts, bytes that are not bytes and a ragged matrix are refused by field", "[unit][replay]") {
  const auto inv = topogen_test::uniform_inventory(2, 1);
  auto unknown = layer_flows(topogen_test::demand_of({"h1", "h9"}, {{0, 1}, {0, 0}}), nullptr, inv);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == Errc::invalid_argument);
  CHECK(unknown.error().field == "hosts");
  CHECK_THAT(unknown.error().message, Catch::Contains("h9"));

  for (const double bad : {-1.0, std::nan(""), HUGE_VAL, 1e19}) {
    INFO(bad);
    auto r = layer_flows(topogen_test::demand_of({"h1", "h2"}, {{0, 0}, {bad, 0}}), nullptr, inv);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "bytes[1][0]");
    CHECK_THAT(r.error().message, Catch::Contains("h2 -> h1"));
  }

  auto ragged = layer_flows(topogen_test::demand_of({"h1", "h2"}, {{0, 1}, {0}}), nullptr, inv);
  REQUIRE_FALSE(ragged.has_value());
  CHECK(ragged.error().code == Errc::invalid_argument);
  CHECK(ragged.error().field == "bytes");
}
