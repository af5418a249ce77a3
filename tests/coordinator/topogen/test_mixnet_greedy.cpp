// MixNet's greedy (docs/topologies.md, "mixnet") on matrices whose answer is known by hand, its
// port limits and regions, and its errors.
#include <catch2/catch.hpp>

#include "coordinator/model/unmapped_cabling.hpp"
#include "coordinator/topogen/generators.hpp"
#include "topogen_inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::topogen;
using topogen_test::circuits_per_pair;
using topogen_test::demand_of;

TEST_CASE("mixnet: a heavy pair gets several circuits, and a lighter pair still gets a turn", "[unit][topogen]") {
  // 3 ports each. Weights h1-h2 100, h1-h3 60: 100 -> circuit (now 50); 60 -> circuit (now 30);
  // 50 -> circuit (now 33); h1 is then full. Giving everything to the heaviest would be 3 x h1-h2.
  const auto inv = topogen_test::uniform_inventory(3, 3);
  auto t = generate_mixnet("g", demand_of({"h1", "h2", "h3"}, {{0, 60, 60}, {40, 0, 0}, {0, 0, 0}}), inv);
  REQUIRE(t.has_value());
  CHECK(t->name == "g");
  CHECK(circuits_per_pair(*t) == std::map<std::string, int>{{"h1|h2", 2}, {"h1|h3", 1}});
}

TEST_CASE("mixnet: two pairs share the ports by weight, ties to inventory order", "[unit][topogen]") {
  // h1-h2 90, h3-h4 30, h1-h3 10, 3 ports each: 90, 45, then 30 (h1-h2) ties 30 (h3-h4) and h1-h2
  // comes first: 3 x h1-h2; then h3-h4 30, 15, 10 ties h1-h3 10, whose h1 is full: 3 x h3-h4.
  const auto inv = topogen_test::uniform_inventory(4, 3);
  auto t = generate_mixnet("g", demand_of({"h1", "h2", "h3", "h4"}, {{0, 90, 10, 0}, {0, 0, 0, 0}, {0, 0, 0, 30}, {0, 0, 0, 0}}), inv);
  REQUIRE(t.has_value());
  CHECK(circuits_per_pair(*t) == std::map<std::string, int>{{"h1|h2", 3}, {"h3|h4", 3}});
  // The circuits take each host's ports in inventory order.
  CHECK(t->circuits.front().str() == "h1:ocs0 - h2:ocs0");
  CHECK(t->circuits[1].str() == "h1:ocs1 - h2:ocs1");
}

TEST_CASE("mixnet: the per-host port count limits its circuits", "[unit][topogen]") {
  // h1 has one port: however heavy its pairs, one circuit; h2-h3 then get the rest.
  const auto inv = topogen_test::make_topogen_inventory(
      {{"h1", {"s"}}, {"h2", {"s", "s", "s"}}, {"h3", {"s", "s"}}}, {{"s", ""}});
  auto t = generate_mixnet("g", demand_of({"h1", "h2", "h3"}, {{0, 1000, 900}, {0, 0, 5}, {0, 0, 0}}), inv);
  REQUIRE(t.has_value());
  CHECK(circuits_per_pair(*t) == std::map<std::string, int>{{"h1|h2", 1}, {"h2|h3", 2}});
}

TEST_CASE("mixnet: a host is never paired with itself, and pairs without demand get nothing", "[unit][topogen]") {
  const auto inv = topogen_test::uniform_inventory(3, 2);
  auto t = generate_mixnet("g", demand_of({"h1", "h2", "h3"}, {{1e12, 0, 0}, {0, 1e12, 0}, {0, 0, 0}}), inv);
  REQUIRE(t.has_value());
  CHECK(t->circuits.empty());
}

TEST_CASE("mixnet: hosts on different switches are never joined", "[unit][topogen]") {
  const auto inv = topogen_test::make_topogen_inventory(
      {{"h1", {"a", "a"}}, {"h2", {"b", "b"}}, {"h3", {"a", "b"}}}, {{"a", ""}, {"b", ""}});
  auto t = generate_mixnet("g", demand_of({"h1", "h2", "h3"}, {{0, 100, 1}, {0, 0, 1}, {0, 0, 0}}), inv);
  REQUIRE(t.has_value());
  // h1-h2 share no switch; h1-h3 on a, h2-h3 on b.
  CHECK(circuits_per_pair(*t) == std::map<std::string, int>{{"h1|h3", 1}, {"h2|h3", 1}});
}

TEST_CASE("mixnet: a region confines the circuits to its switches' ports", "[unit][topogen]") {
  const auto inv = topogen_test::make_topogen_inventory(
      {{"h1", {"a", "b"}}, {"h2", {"a", "b"}}, {"h3", {"b"}}}, {{"a", "ra"}, {"b", "rb"}});
  const auto demand = demand_of({"h1", "h2", "h3"}, {{0, 100, 50}, {0, 0, 50}, {0, 0, 0}});
  auto in_a = generate_mixnet("g", demand, inv, "ra");
  REQUIRE(in_a.has_value());
  CHECK(in_a->region == "ra");
  REQUIRE(in_a->circuits.size() == 1);
  CHECK(in_a->circuits[0].str() == "h1:ocs0 - h2:ocs0");
  REQUIRE(resolve_topology(*in_a, inv).has_value());
  CHECK(in_a->resolved[0].switch_name == "a");

  auto in_b = generate_mixnet("g", demand, inv, "rb");
  REQUIRE(in_b.has_value());
  // b: h1-h2 (100) first, then h1 and h2 are full on b.
  CHECK(circuits_per_pair(*in_b) == std::map<std::string, int>{{"h1|h2", 1}});
  for (const auto& c : in_b->circuits) CHECK((c.a.port == "ocs1" || c.a.host == "h3"));

  auto unknown = generate_mixnet("g", demand, inv, "nowhere");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().field == "region");
}

TEST_CASE("mixnet: ports without their cabling map and unknown demand hosts are errors", "[unit][topogen]") {
  const auto unmapped = topogen_test::make_topogen_inventory(
      {{"h1", {"s"}}, {.name = "h2", .ocs_switches = {"s"}, .unmapped = true}}, {{"s", ""}});
  auto t = generate_mixnet("g", demand_of({"h1", "h2"}, {{0, 1}, {1, 0}}), unmapped);
  REQUIRE_FALSE(t.has_value());
  CHECK(is_unmapped_cabling(t.error()));
  CHECK_THAT(t.error().message, Catch::Contains("h2:ocs0"));

  const auto inv = topogen_test::uniform_inventory(2, 1);
  auto unknown = generate_mixnet("g", demand_of({"h1", "zz"}, {{0, 1}, {1, 0}}), inv);
  REQUIRE_FALSE(unknown.has_value());
  CHECK_THAT(unknown.error().message, Catch::Contains("'zz'"));
}
