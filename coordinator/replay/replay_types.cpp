#include "coordinator/replay/replay_types.hpp"

namespace mixnet::coord::replay {

std::string_view mode_name(ReplayMode mode) {
  switch (mode) {
    case ReplayMode::reconfigured: return "reconfigured";
    case ReplayMode::fixed: return "static";
    case ReplayMode::electrical: return "electrical";
  }
  return "?";
}

std::string_view path_name(FlowPath path) { return path == FlowPath::circuit ? "circuit" : "eps"; }

std::vector<ModeTotals> mode_totals(const ReplayResult& result) {
  std::vector<ModeTotals> totals;
  for (const ReplayMode mode : result.setup.modes) {
    ModeTotals t;
    t.mode = mode;
    for (const auto& l : result.layers) {
      if (l.mode != mode) continue;
      t.completion_s += l.completion_s;
      t.reconfig_s += l.reconfig_s;
      ++t.layers;
      if (!l.ok) ++t.failed_layers;
    }
    totals.push_back(t);
  }
  return totals;
}

double speedup_over(const std::vector<ModeTotals>& totals, ReplayMode baseline) {
  const ModeTotals* ours = nullptr;
  const ModeTotals* theirs = nullptr;
  for (const auto& t : totals) {
    if (t.mode == ReplayMode::reconfigured) ours = &t;
    if (t.mode == baseline) theirs = &t;
  }
  if (ours == nullptr || theirs == nullptr || ours->total_s() <= 0 || theirs->total_s() <= 0) return 0;
  return theirs->total_s() / ours->total_s();
}

}  // namespace mixnet::coord::replay
