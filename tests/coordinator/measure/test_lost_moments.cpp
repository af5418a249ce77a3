#include <catch2/catch.hpp>

#include "coordinator/measure/lost_moments.hpp"
#include "measure_fixtures.hpp"

using namespace mixnet::coord::measure;
using namespace mixnet::coord::measure::testing;

namespace {

PortBreakdown measured_row() {
  const auto plan = make_truth_plan(1);
  FullRateRule rule;
  rule.line_rate_gbps = 10;
  return compute_breakdown(measured_inputs(plan[0], agent_clock("h1", 0, 10'000), 0, plan[0].cmd_sent + 2000 * kMs), rule);
}

}  // namespace

TEST_CASE("a port whose reconfiguration lost its carrier loss has lost a moment") {
  auto in_row = measured_row();
  const PortExpectation lit_and_connected{.was_lit = true, .connected = true, .traffic = false};
  CHECK(lost_moments(in_row, lit_and_connected).empty());

  in_row.moments[static_cast<std::size_t>(Moment::carrier_lost)] = MomentValue{std::nullopt, "no carrier-lost (link_down) event"};
  const auto lost = lost_moments(in_row, lit_and_connected);
  REQUIRE(lost == std::vector<Moment>{Moment::carrier_lost});
  CHECK(describe_lost(in_row, lost) == "lost carrier_lost (no carrier-lost (link_down) event)");

  // A port that was dark before the command has no carrier to lose.
  CHECK(lost_moments(in_row, {.was_lit = false, .connected = true, .traffic = false}).empty());
}

TEST_CASE("which moments a port must have depends on what the reconfiguration did to it") {
  auto row = measured_row();
  // measured_row has no traffic timeline: with streams running, that moment is lost.
  CHECK(lost_moments(row, {.was_lit = true, .connected = true, .traffic = true}) == std::vector<Moment>{Moment::traffic_full_rate});

  // A port the new topology leaves unconnected: no link up, identity or traffic expected.
  for (auto m : {Moment::link_up, Moment::identity_confirmed}) row.moments[static_cast<std::size_t>(m)] = MomentValue{std::nullopt, "none"};
  CHECK(lost_moments(row, {.was_lit = true, .connected = false, .traffic = true}).empty());
  CHECK(lost_moments(row, {.was_lit = true, .connected = true, .traffic = false}) ==
        std::vector<Moment>{Moment::link_up, Moment::identity_confirmed});

  // The switch's stamps are always expected: a lost acknowledgement fails the port.
  row.moments[static_cast<std::size_t>(Moment::switch_ack)] = MomentValue{std::nullopt, "the switch did not acknowledge the command"};
  const auto lost = lost_moments(row, {.was_lit = true, .connected = false, .traffic = false});
  REQUIRE(lost == std::vector<Moment>{Moment::switch_ack});
  CHECK(describe_lost(row, lost) == "lost switch_ack (the switch did not acknowledge the command)");
  CHECK(describe_lost(row, {}).empty());
}
