#pragma once
// How health.bandwidth judges its tests beyond what the traffic verdict already says (transport
// errors, a line-rate threshold): a test far below its peers in the same run fails too, so the
// very first night on a new testbed (or the lab, whose veths report no real line rate) already
// catches a crippled port (ClusterKit's "poor performance with all other nodes"). Pure: typed
// records in, typed records out.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

// The part a test between a and b exercises: "h1:ocs0>h2:ocs1" through the OCS (a's TX to b's
// RX), "h1:eps0~h2:eps0" across the electrical switch (sorted: the same pair either way round).
[[nodiscard]] std::string test_part_name(PartKind via, const std::string& a, const std::string& b);

// Fails every test still passing whose figure is below `peer_fraction` x the median of its
// peers: the other paths of its kind (circuits, or electrical pairs) measured so far in the run,
// in `earlier` and `tests`, each at its latest figure. The same definition as the rules' peers
// form (peer_medians.hpp), so a test this passes the report's rule passes too, given the same
// figures. Needs kMinPeers peers, as the shipped rules do; with fewer it judges nothing (a lone
// retest is judged against the run's earlier tests, never against itself). Sets threshold_gbps
// and the detail of every test it judges. Tests without a figure are left as they are (failed).
inline constexpr std::size_t kMinPeers = 2;
void judge_against_peers(std::vector<PairTest>& tests, const std::vector<PairTest>& earlier, double peer_fraction);

// The report's rules have the last word on a figure: a path whose latest test passed when it was
// measured (judged against the peers known then) but whose figure a rule found critical against
// the whole run's figures fails that test, with the rule's message, so blame and the findings
// agree. Only bandwidth_gbps findings on circuits and electrical pairs.
void fail_tests_the_rules_failed(std::vector<PairTest>& tests, const std::vector<Finding>& findings);

}  // namespace mixnet::coord::health
