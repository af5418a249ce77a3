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

namespace {

bool is_path_bandwidth(const Observation& o) {
  return (o.kind == PartKind::circuit || o.kind == PartKind::eps_pair) && o.figure == "bandwidth_gbps";
}

// `observations` less every path bandwidth figure but the one `keep` chose per path.
std::vector<Observation> one_figure_per_path(const std::vector<Observation>& observations,
                                             const std::map<std::pair<PartKind, std::string>, std::size_t>& keep) {
  std::vector<Observation> out;
  for (std::size_t i = 0; i < observations.size(); ++i) {
    const auto& o = observations[i];
    if (is_path_bandwidth(o)) {
      const auto k = keep.find({o.kind, o.part});
      if (k == keep.end() || k->second != i) continue;
    }
    out.push_back(o);
  }
  return out;
}

}  // namespace

std::vector<Observation> current_figures(const std::vector<Observation>& observations) {
  std::map<std::pair<PartKind, std::string>, std::size_t> latest;
  for (std::size_t i = 0; i < observations.size(); ++i) {
    if (is_path_bandwidth(observations[i])) latest[{observations[i].kind, observations[i].part}] = i;
  }
  return one_figure_per_path(observations, latest);
}

std::vector<Observation> first_figures(const std::vector<Observation>& observations) {
  std::map<std::pair<PartKind, std::string>, std::size_t> first;
  for (std::size_t i = 0; i < observations.size(); ++i) {
    const auto& o = observations[i];
    if (is_path_bandwidth(o) && o.value && !o.retest) first.try_emplace({o.kind, o.part}, i);
  }
  return one_figure_per_path(observations, first);
}

}  // namespace mixnet::coord::health
