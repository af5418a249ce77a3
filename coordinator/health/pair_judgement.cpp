#include "coordinator/health/pair_judgement.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "coordinator/health/peer_medians.hpp"

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

void fail_tests_the_rules_failed(std::vector<PairTest>& tests, const std::vector<Finding>& findings) {
  for (const auto& f : findings) {
    if (f.severity != Severity::critical || f.figure != "bandwidth_gbps") continue;
    if (f.kind != PartKind::circuit && f.kind != PartKind::eps_pair) continue;
    PairTest* latest = nullptr;
    for (auto& t : tests) {
      if (t.via == f.kind && t.path == f.part && (latest == nullptr || t.round >= latest->round)) latest = &t;
    }
    if (latest == nullptr || !latest->passed) continue;
    latest->passed = false;
    latest->detail = fmt::format("{} (rule {})", f.message, f.rule);
  }
}

void judge_against_peers(std::vector<PairTest>& tests, const std::vector<PairTest>& earlier, double peer_fraction) {
  // The run's figures so far as observations of their paths, in order; the peers' reference is
  // the first pass, each path's first figure (peer_medians.hpp).
  std::vector<Observation> figures;
  auto add = [&](const std::vector<PairTest>& batch) {
    for (const auto& t : batch) {
      if (t.gbps) {
        figures.push_back(Observation{.kind = t.via, .part = t.path, .figure = "bandwidth_gbps", .value = t.gbps, .retest = t.round > 0});
      }
    }
  };
  add(earlier);
  add(tests);
  const PeerMedians peers(first_figures(figures));
  for (auto& t : tests) {
    if (!t.gbps || !t.passed) continue;
    const auto p = peers.of(t.via, "bandwidth_gbps", t.path);
    if (p.count < kMinPeers) continue;
    const double floor = peer_fraction * p.median;
    // A line-rate threshold, when the traffic verdict had one, stays the one reported.
    if (!t.threshold_gbps) t.threshold_gbps = floor;
    if (*t.gbps < floor) {
      t.passed = false;
      t.threshold_gbps = floor;
      t.detail = fmt::format("{} Gb/s < {} ({}% of the median {} Gb/s of {} other {} in this run)", gbps_text(*t.gbps), gbps_text(floor),
                             gbps_text(peer_fraction * 100), gbps_text(p.median), p.count,
                             t.via == PartKind::eps_pair ? "electrical pairs" : "circuits");
    }
  }
}

}  // namespace mixnet::coord::health
