#pragma once
// A small replay result the report tests share: two layers in three modes, the static mode's
// second layer failed, and a trace description that would break a page that did not escape it.
#include <string>

#include "coordinator/replay/replay_types.hpp"

namespace mixnet::coord::replay::report_fixtures {

inline LayerOutcome report_fixture_layer(ReplayMode mode, std::size_t layer, double reconfig, double completion) {
  LayerOutcome l;
  l.mode = mode;
  l.layer = layer;
  l.topology = mode == ReplayMode::electrical ? "" : std::string(mode_name(mode)) + "-" + std::to_string(layer);
  l.network_bytes = 3e6;
  l.circuit_bytes = mode == ReplayMode::electrical ? 0 : 2e6;
  l.eps_bytes = l.network_bytes - l.circuit_bytes;
  l.circuits = mode == ReplayMode::electrical ? 0 : 4;
  l.changes = mode == ReplayMode::reconfigured ? 2 : 0;
  l.reconfig_s = reconfig;
  l.completion_s = completion;
  l.estimate_s = completion * 0.9;
  l.flows = 6;
  return l;
}

inline ReplayResult report_fixture() {
  ReplayResult r;
  r.setup.trace = "moe-small.json";
  r.setup.description = R"(Trace <b>"x" & y</b>)";
  r.setup.layers = 2;
  r.setup.experts = 8;
  r.setup.hosts = {"h1", "h2", "h3", "h4"};
  r.setup.line_rate_gbps = 0.1;
  r.setup.line_rate_source = "line_rate_gbps";
  r.setup.scale = 2.5;
  r.setup.scale_reason = "so the heaviest layer takes 0.5 s on the electrical switch alone at 0.1 Gb/s, and the links, not the hosts' CPUs, are the bottleneck";
  r.setup.static_topology = "static-all";
  r.setup.modes = {ReplayMode::reconfigured, ReplayMode::fixed, ReplayMode::electrical};
  r.layers = {report_fixture_layer(ReplayMode::reconfigured, 0, 0.25, 1.0), report_fixture_layer(ReplayMode::reconfigured, 1, 0.25, 1.5),
              report_fixture_layer(ReplayMode::fixed, 0, 0.5, 2.0), report_fixture_layer(ReplayMode::fixed, 1, 0, 2.5),
              report_fixture_layer(ReplayMode::electrical, 0, 0, 3.0), report_fixture_layer(ReplayMode::electrical, 1, 0, 3.0)};
  auto& failed = r.layers[3];
  failed.ok = false;
  failed.failed_flows = 1;
  failed.message = R"(flow h1->h2 short, "reset")";
  return r;
}

// The reconfigured mode alone: no speedup can be computed.
inline ReplayResult report_fixture_one_mode() {
  auto r = report_fixture();
  r.setup.modes = {ReplayMode::reconfigured};
  std::erase_if(r.layers, [](const LayerOutcome& l) { return l.mode != ReplayMode::reconfigured; });
  return r;
}

}  // namespace mixnet::coord::replay::report_fixtures
