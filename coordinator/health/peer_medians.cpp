#include "coordinator/health/peer_medians.hpp"

#include "coordinator/health/baseline.hpp"

namespace mixnet::coord::health {

PeerMedians::PeerMedians(const std::vector<Observation>& observations) {
  std::map<std::pair<PartKind, std::string>, std::map<std::string, std::vector<double>>> values;
  for (const auto& o : observations) {
    if (o.value) values[{o.kind, o.figure}][o.part].push_back(*o.value);
  }
  for (auto& [key, parts] : values) {
    for (auto& [part, v] : parts) per_part_[key][part] = median_of(std::move(v));
  }
}

PeerMedians::Peers PeerMedians::of(PartKind kind, const std::string& figure, const std::string& part) const {
  std::vector<double> others;
  if (auto it = per_part_.find({kind, figure}); it != per_part_.end()) {
    for (const auto& [p, v] : it->second) {
      if (p != part) others.push_back(v);
    }
  }
  const std::size_t count = others.size();
  if (count == 0) return {};
  return {median_of(std::move(others)), count};
}

}  // namespace mixnet::coord::health
