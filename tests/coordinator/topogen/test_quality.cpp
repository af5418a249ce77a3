// Quality figures on a case computed by hand (docs/topologies.md, "Quality figures").
#include <catch2/catch.hpp>

#include <cmath>

#include "coordinator/topogen/quality.hpp"
#include "topogen_inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::topogen;

namespace {

Topology quality_topology(std::vector<std::pair<std::string, std::string>> pairs) {
  Topology t{.name = "q"};
  int port = 0;
  for (const auto& [a, b] : pairs) {
    t.circuits.push_back({PortRef{a, "p" + std::to_string(port)}, PortRef{b, "p" + std::to_string(port + 1)}, 0});
    port += 2;
  }
  return t;
}

}  // namespace

TEST_CASE("quality: circuits carry their pairs, the rest shares the electrical ports", "[unit][topogen]") {
  // 8 Gb/s = 1e9 bytes/s. h1-h2 have two circuits: h1->h2 4 GB over 2 (2 s), h2->h1 2 GB. The
  // rest is electrical: h1 egress 3 GB, h3 egress 1 GB, h3 ingress 3 GB, h2 ingress 1 GB; one EPS
  // port each: the slowest is h1's egress, 3 s.
  const auto inv = topogen_test::make_topogen_inventory({{"h1", {"s"}}, {"h2", {"s"}}, {"h3", {"s"}}}, {{"s", ""}});
  auto demand = topogen_test::demand_of({"h1", "h2", "h3"}, {{0, 4e9, 3e9}, {2e9, 0, 0}, {0, 1e9, 0}});
  demand.intra_host_bytes = 5;
  const auto t = quality_topology({{"h1", "h2"}, {"h2", "h1"}});
  const auto q = evaluate_quality(t, demand, inv, 8);
  CHECK(q.network_bytes == 10e9);
  CHECK(q.intra_host_bytes == 5);
  CHECK(q.circuits == 2);
  CHECK(q.circuit_bytes == 6e9);
  CHECK(q.eps_bytes == 4e9);
  CHECK(q.served_fraction() == Approx(0.6));
  CHECK(q.max_circuit_bytes == 2e9);
  CHECK(q.max_circuit_pair == "h1 -> h2 (2 circuits)");
  CHECK(q.circuit_seconds == Approx(2));
  CHECK(q.eps_seconds == Approx(3));
  CHECK(q.eps_bottleneck == "h1 egress");
  CHECK(q.completion_seconds == Approx(3));
  const auto text = format_quality(q);
  CHECK_THAT(text, Catch::Contains("60.0%"));
  CHECK_THAT(text, Catch::Contains("completion    3.000 s at 8 Gb/s"));

  // Two EPS ports on h1 halve its time: h3's ingress (3 s) is now the slowest.
  const auto inv2 = topogen_test::make_topogen_inventory({{"h1", {"s"}, 2}, {"h2", {"s"}}, {"h3", {"s"}}}, {{"s", ""}});
  const auto q2 = evaluate_quality(t, demand, inv2, 8);
  CHECK(q2.eps_bottleneck == "h3 ingress");
  CHECK(q2.completion_seconds == Approx(3));

  // No circuit at all: everything electrical; h1 sends 7 GB on one port.
  const auto q3 = evaluate_quality(Topology{.name = "none"}, demand, inv, 8);
  CHECK(q3.circuit_bytes == 0);
  CHECK(q3.eps_bytes == 10e9);
  CHECK(q3.completion_seconds == Approx(7));
}

TEST_CASE("quality: a host with electrical demand and no electrical port never completes", "[unit][topogen]") {
  const auto inv = topogen_test::make_topogen_inventory({{"h1", {"s"}, 0}, {"h2", {"s"}}}, {{"s", ""}});
  const auto q = evaluate_quality(Topology{.name = "none"}, topogen_test::demand_of({"h1", "h2"}, {{0, 1}, {0, 0}}), inv, 100);
  CHECK(std::isinf(q.completion_seconds));
  CHECK(q.eps_bottleneck == "h1 egress (no electrical port)");
  CHECK_THAT(format_quality(q), Catch::Contains("never"));
}

TEST_CASE("quality: the line rate defaults to the ports' expected speed, else 100 Gb/s", "[unit][topogen]") {
  CHECK(default_line_rate_gbps(topogen_test::uniform_inventory(2, 1)) == kDefaultLineRateGbps);
  CHECK_FALSE(stated_line_rate_gbps(topogen_test::uniform_inventory(2, 1)).has_value());
  const auto inv = topogen_test::make_topogen_inventory(
      {{.name = "h1", .ocs_switches = {"s"}, .speed_mbps = 25000}, {.name = "h2", .ocs_switches = {"s"}, .speed_mbps = 100000}}, {{"s", ""}});
  CHECK(default_line_rate_gbps(inv) == 25);
  CHECK(stated_line_rate_gbps(inv) == 25.0);
}
