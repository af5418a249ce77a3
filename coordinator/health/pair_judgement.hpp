#pragma once
// How health.bandwidth judges its tests beyond what the traffic verdict already says (transport
// errors, a line-rate threshold): a test far below its peers in the same run fails too, so the
// very first night on a new testbed (or the lab, whose veths report no real line rate) already
// catches a crippled port (ClusterKit's "poor performance with all other nodes"). Pure: typed
// records in, typed records out.
#include <optional>
#include <string>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

// The part a test between a and b exercises: "h1:ocs0>h2:ocs1" through the OCS (a's TX to b's
// RX), "h1:eps0~h2:eps0" across the electrical switch (sorted: the same pair either way round).
[[nodiscard]] std::string test_part_name(PartKind via, const std::string& a, const std::string& b);

// Fails every test still passing whose figure is below `peer_fraction` x the median of
// `reference_gbps` plus the measured figures of `tests` themselves (so a lone retest is judged
// against the run's earlier tests, not against itself). Sets threshold_gbps and the detail of
// every test it judges. Tests without a figure are left as they are (already failed).
void judge_against_peers(std::vector<PairTest>& tests, const std::vector<double>& reference_gbps, double peer_fraction);

// The figures of the measured tests through `via` in `tests`, passed or not (retests are judged
// against every first-pass figure of the run).
[[nodiscard]] std::vector<double> measured_gbps(const std::vector<PairTest>& tests, PartKind via);

}  // namespace mixnet::coord::health
