// The demand's scaling and the whole trace's demand (docs/topologies.md, "How a layer's bytes are
// sent"): the factor that makes the heaviest layer take the target time electrical only, the
// sentence the report prints, and every input that leaves nothing to scale.
#include <catch2/catch.hpp>

#include <cmath>

#include "coordinator/replay/replay_plan.hpp"
#include "coordinator/topogen/quality.hpp"
#include "topogen_inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::replay;

namespace {

// 8 Gb/s is 1e9 bytes/s per port: a host's electrical bytes in GB are its seconds on one port.
std::vector<topogen::DemandMatrix> scaling_trace() {
  return {topogen_test::demand_of({"h1", "h2", "h3"}, {{0, 1e9, 0}, {0, 0, 0}, {0, 0, 0}}),            // h1 egress 1 s
          topogen_test::demand_of({"h1", "h2", "h3"}, {{0, 2e9, 2e9}, {0, 0, 0}, {0, 1e9, 0}}),        // h1 egress 4 s
          topogen_test::demand_of({"h3", "h2"}, {{0, 0}, {0, 0}})};                                    // nothing
}

void check_scaling_error(const Result<ReplayScaling>& r, const std::string& field, const std::string& words) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_argument);
  CHECK(r.error().field == field);
  CHECK_THAT(r.error().message, Catch::Contains(words));
}

}  // namespace

TEST_CASE("replay scaling: the heaviest layer, electrical only, takes the target time", "[unit][replay]") {
  const auto inv = topogen_test::uniform_inventory(3, 1);
  const auto layers = scaling_trace();
  const auto s = choose_scaling(layers, inv, 8, 0.5);
  INFO((s ? std::string() : s.error().describe()));
  REQUIRE(s.has_value());
  CHECK(s->heaviest_layer == 1);
  CHECK(s->heaviest_unscaled_s == Approx(4));
  CHECK(s->factor == Approx(0.125));
  CHECK(s->reason == "so its heaviest layer (layer 1) takes 0.500 s on the electrical switch alone at 8 Gb/s per port (4.000 s "
                     "unscaled), and the links, not the hosts' CPUs, are the bottleneck");
  // Scaled, the layer's estimate is the target, and the other layer shrinks by the same factor.
  const Topology none{.name = "none"};
  CHECK(topogen::evaluate_quality(none, scale_demand(layers[1], s->factor), inv, 8).completion_seconds == Approx(0.5));
  CHECK(topogen::evaluate_quality(none, scale_demand(layers[0], s->factor), inv, 8).completion_seconds == Approx(0.125));

  // Two electrical ports per host halve the estimate, so the factor doubles.
  const auto inv2 = topogen_test::make_topogen_inventory({{"h1", {"s"}, 2}, {"h2", {"s"}, 2}, {"h3", {"s"}, 2}}, {{"s", ""}});
  const auto s2 = choose_scaling(layers, inv2, 8, 0.5);
  REQUIRE(s2.has_value());
  CHECK(s2->factor == Approx(0.25));
  CHECK_THAT(s2->reason, Catch::Contains("(2.000 s unscaled)"));
}

TEST_CASE("replay scaling: the demand and its bytes within hosts scale together", "[unit][replay]") {
  auto m = topogen_test::demand_of({"h1", "h2"}, {{0, 10}, {3, 0}});
  m.intra_host_bytes = 8;
  const auto scaled = scale_demand(m, 0.5);
  CHECK(scaled.hosts == m.hosts);
  CHECK(scaled.bytes == std::vector<std::vector<double>>{{0, 5}, {1.5, 0}});
  CHECK(scaled.intra_host_bytes == 4);
  CHECK(scaled.source == "test");
}

TEST_CASE("replay scaling: targets, rates and traces that cannot be scaled are refused by field", "[unit][replay]") {
  const auto inv = topogen_test::uniform_inventory(3, 1);
  const auto layers = scaling_trace();
  for (const double bad : {0.0, -1.0, std::nan("")}) {
    INFO(bad);
    check_scaling_error(choose_scaling(layers, inv, 8, bad), "target_layer_s", "must be > 0 s");
    check_scaling_error(choose_scaling(layers, inv, bad, 0.5), "line_rate_gbps", "must be > 0 Gb/s");
  }
  check_scaling_error(choose_scaling({}, inv, 8, 0.5), "layers", "nothing to replay: the trace's 0 layers carry no byte between hosts");
  auto only_within = topogen_test::demand_of({"h1", "h2"}, {{7, 0}, {0, 0}});
  only_within.intra_host_bytes = 100;
  check_scaling_error(choose_scaling({only_within}, inv, 8, 0.5), "layers", "the trace's 1 layer carries no byte");

  auto unknown = layers;
  unknown.push_back(topogen_test::demand_of({"h1", "h7"}, {{0, 1}, {0, 0}}));
  check_scaling_error(choose_scaling(unknown, inv, 8, 0.5), "layers[3].hosts", "h7");

  // h3 receives in layer 1 and has no electrical port: electrical only, that layer never ends.
  const auto no_eps = topogen_test::make_topogen_inventory({{"h1", {"s"}}, {"h2", {"s"}}, {"h3", {"s"}, 0}}, {{"s", ""}});
  check_scaling_error(choose_scaling(layers, no_eps, 8, 0.5), "layers[1]", "host h3 sends or receives bytes over the network but has no electrical port");
}

TEST_CASE("replay scaling: the whole trace's demand adds every layer, hosts in first-appearance order", "[unit][replay]") {
  auto a = topogen_test::demand_of({"h2", "h1"}, {{0, 5}, {1, 0}});
  a.intra_host_bytes = 2;
  auto b = topogen_test::demand_of({"h3", "h1", "h2"}, {{0, 4, 0}, {6, 0, 3}, {0, 0, 0}});
  b.intra_host_bytes = 1;
  const auto sum = sum_layers({a, b});
  CHECK(sum.hosts == std::vector<std::string>{"h2", "h1", "h3"});
  CHECK(sum.bytes == std::vector<std::vector<double>>{{0, 5, 0}, {4, 0, 6}, {0, 4, 0}});
  CHECK(sum.intra_host_bytes == 3);
  CHECK(sum.network_bytes() == a.network_bytes() + b.network_bytes());
  CHECK(sum.source == "the sum of 2 layers");
  const auto none = sum_layers({});
  CHECK(none.hosts.empty());
  CHECK(none.bytes.empty());
}
