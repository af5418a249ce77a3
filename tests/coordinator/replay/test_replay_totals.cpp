// The per-mode totals and speedups every report shows.
#include <catch2/catch.hpp>

#include "coordinator/replay/replay_types.hpp"

using namespace mixnet::coord::replay;

namespace {
LayerOutcome replay_layer(ReplayMode mode, std::size_t layer, double completion, double reconfig, bool ok = true) {
  LayerOutcome l;
  l.mode = mode;
  l.layer = layer;
  l.completion_s = completion;
  l.reconfig_s = reconfig;
  l.ok = ok;
  return l;
}
}  // namespace

TEST_CASE("replay totals sum each mode's layers, and speedups compare whole times", "[replay]") {
  ReplayResult r;
  r.setup.modes = {ReplayMode::reconfigured, ReplayMode::fixed, ReplayMode::electrical};
  r.layers = {replay_layer(ReplayMode::reconfigured, 0, 1.0, 0.25), replay_layer(ReplayMode::reconfigured, 1, 1.5, 0.25),
              replay_layer(ReplayMode::fixed, 0, 2.0, 0.5), replay_layer(ReplayMode::fixed, 1, 2.5, 0),
              replay_layer(ReplayMode::electrical, 0, 3.0, 0), replay_layer(ReplayMode::electrical, 1, 3.0, 0, false)};
  const auto totals = mode_totals(r);
  REQUIRE(totals.size() == 3);
  CHECK(totals[0].mode == ReplayMode::reconfigured);
  CHECK(totals[0].completion_s == Approx(2.5));
  CHECK(totals[0].reconfig_s == Approx(0.5));
  CHECK(totals[0].total_s() == Approx(3.0));
  CHECK(totals[1].total_s() == Approx(5.0));
  CHECK(totals[2].failed_layers == 1);
  CHECK(speedup_over(totals, ReplayMode::fixed) == Approx(5.0 / 3.0));
  CHECK(speedup_over(totals, ReplayMode::electrical) == Approx(2.0));
  CHECK(mode_name(ReplayMode::fixed) == "static");
}

TEST_CASE("a speedup against a mode that did not run is 0, never a division by nothing", "[replay]") {
  ReplayResult r;
  r.setup.modes = {ReplayMode::reconfigured};
  r.layers = {replay_layer(ReplayMode::reconfigured, 0, 1.0, 0)};
  CHECK(speedup_over(mode_totals(r), ReplayMode::electrical) == 0);
}
