// The replay's step data as JSON: the setup, every layer, the totals per mode and the speedups.
#include "coordinator/replay/replay_report.hpp"

namespace mixnet::coord::replay {

namespace {

nlohmann::json setup_json(const ReplaySetup& s) {
  auto modes = nlohmann::json::array();
  for (const ReplayMode m : s.modes) modes.push_back(mode_name(m));
  return {{"trace", s.trace},
          {"description", s.description},
          {"layers", s.layers},
          {"experts", s.experts},
          {"hosts", s.hosts},
          {"line_rate_gbps", s.line_rate_gbps},
          {"line_rate_source", s.line_rate_source},
          {"scale", s.scale},
          {"scale_reason", s.scale_reason},
          {"static_topology", s.static_topology},
          {"modes", modes}};
}

// speedup_over's 0 ("not run or no time") is null here: no reader mistakes it for a slowdown.
nlohmann::json speedup_json(const std::vector<ModeTotals>& totals, ReplayMode baseline) {
  const double s = speedup_over(totals, baseline);
  return s > 0 ? nlohmann::json(s) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json layer_outcome_json(const LayerOutcome& l) {
  return {{"mode", mode_name(l.mode)},
          {"layer", l.layer},
          {"topology", l.topology},
          {"network_bytes", l.network_bytes},
          {"circuit_bytes", l.circuit_bytes},
          {"eps_bytes", l.eps_bytes},
          {"circuits", l.circuits},
          {"changes", l.changes},
          {"reconfig_s", l.reconfig_s},
          {"completion_s", l.completion_s},
          {"total_s", l.total_s()},
          {"estimate_s", l.estimate_s},
          {"flows", l.flows},
          {"failed_flows", l.failed_flows},
          {"ok", l.ok},
          {"message", l.message}};
}

nlohmann::json replay_json(const ReplayResult& result) {
  auto layers = nlohmann::json::array();
  for (const auto& l : result.layers) layers.push_back(layer_outcome_json(l));
  const auto totals = mode_totals(result);
  auto totals_json = nlohmann::json::array();
  for (const auto& t : totals) {
    totals_json.push_back({{"mode", mode_name(t.mode)},
                           {"layers", t.layers},
                           {"failed_layers", t.failed_layers},
                           {"completion_s", t.completion_s},
                           {"reconfig_s", t.reconfig_s},
                           {"total_s", t.total_s()}});
  }
  return {{"setup", setup_json(result.setup)},
          {"layers", layers},
          {"totals", totals_json},
          {"speedup_over_static", speedup_json(totals, ReplayMode::fixed)},
          {"speedup_over_electrical", speedup_json(totals, ReplayMode::electrical)}};
}

}  // namespace mixnet::coord::replay
