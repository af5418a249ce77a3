#include "coordinator/health/pair_judgement.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "coordinator/health/baseline.hpp"

namespace mixnet::coord::health {

namespace {

// Three significant figures, as the traffic verdicts print Gb/s.
std::string gbps_text(double g) { return fmt::format("{:.3g}", g); }

}  // namespace

std::string test_part_name(PartKind via, const std::string& a, const std::string& b) {
  // An electrical pair is the same either way round: named in sorted order, as blame names it.
  if (via == PartKind::eps_pair) return a < b ? a + "~" + b : b + "~" + a;
  return a + ">" + b;
}

std::vector<double> measured_gbps(const std::vector<PairTest>& tests, PartKind via) {
  std::vector<double> out;
  for (const auto& t : tests) {
    if (t.via == via && t.gbps) out.push_back(*t.gbps);
  }
  return out;
}

void judge_against_peers(std::vector<PairTest>& tests, const std::vector<double>& reference_gbps, double peer_fraction) {
  std::vector<double> all = reference_gbps;
  for (const auto& t : tests) {
    if (t.gbps) all.push_back(*t.gbps);
  }
  if (all.empty()) return;
  const double median = median_of(std::move(all));   // baseline.hpp's, the rules' own
  const double floor = peer_fraction * median;
  for (auto& t : tests) {
    if (!t.gbps || !t.passed) continue;
    // A line-rate threshold, when the traffic verdict had one, stays the one reported.
    if (!t.threshold_gbps) t.threshold_gbps = floor;
    if (*t.gbps < floor) {
      t.passed = false;
      t.threshold_gbps = floor;
      t.detail = fmt::format("{} Gb/s < {} ({}% of the run's median {} Gb/s)", gbps_text(*t.gbps), gbps_text(floor),
                             gbps_text(peer_fraction * 100), gbps_text(median));
    }
  }
}

}  // namespace mixnet::coord::health
