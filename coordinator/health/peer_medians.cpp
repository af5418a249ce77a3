#include "coordinator/health/peer_medians.hpp"

#include <algorithm>

#include "coordinator/health/baseline.hpp"

namespace mixnet::coord::health {

PeerMedians::PeerMedians(const std::vector<Observation>& observations) {
  std::map<std::pair<PartKind, std::string>, std::map<std::string, std::vector<double>>> values;
  for (const auto& o : observations) {
    if (o.value) values[{o.kind, o.figure}][o.part].push_back(*o.value);
  }
  for (auto& [key, parts] : values) {
    Figure& f = figures_[key];
    for (auto& [part, v] : parts) {
      const double m = median_of(std::move(v));
      f.per_part[part] = m;
      f.sorted.push_back(m);
    }
    std::sort(f.sorted.begin(), f.sorted.end());
  }
}

PeerMedians::Peers PeerMedians::of(PartKind kind, const std::string& figure, const std::string& part) const {
  const auto it = figures_.find({kind, figure});
  if (it == figures_.end()) return {};
  const std::vector<double>& sorted = it->second.sorted;
  // The others are the sorted medians less one copy of the part's own (any copy: equal values
  // leave the same list); median_of's interpolation, read through the gap.
  std::size_t gap = sorted.size();
  if (const auto own = it->second.per_part.find(part); own != it->second.per_part.end()) {
    gap = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), own->second) - sorted.begin());
  }
  const std::size_t count = gap < sorted.size() ? sorted.size() - 1 : sorted.size();
  if (count == 0) return {};
  const auto other = [&](std::size_t k) { return sorted[k < gap ? k : k + 1]; };
  const double pos = 0.5 * static_cast<double>(count - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, count - 1);
  return {other(lo) + (other(hi) - other(lo)) * (pos - static_cast<double>(lo)), count};
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
