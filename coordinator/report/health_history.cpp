#include "coordinator/report/health_history.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace mixnet::coord {

HealthHistory history_from_observations(const std::vector<health::Observation>& observations, const std::vector<std::string>& figures) {
  HealthHistory out;
  std::map<std::tuple<health::PartKind, std::string, std::string>, std::size_t> index;
  for (const auto& o : observations) {
    if (!figures.empty() && std::find(figures.begin(), figures.end(), o.figure) == figures.end()) continue;
    auto [it, fresh] = index.try_emplace({o.kind, o.part, o.figure}, out.size());
    if (fresh) out.push_back(HistorySeries{o.kind, o.part, o.figure, o.unit, {}});
    if (o.value) out[it->second].points.push_back(HistoryPoint{o.at_ns, *o.value});
  }
  return out;
}

}  // namespace mixnet::coord
