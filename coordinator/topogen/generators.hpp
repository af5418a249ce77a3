#pragma once
// Topologies generated from the inventory's OCS cabling, and from a demand matrix where the
// algorithm needs one (docs/topologies.md, "Algorithms"). Every generator returns unresolved
// topologies (circuits only, `region` set when one was given); the caller resolves them like
// written ones. With a region, only that region's switches' ports are used. Errors: an unknown
// region, ports without their cabling map (unmapped_cabling.hpp), demand for a host not in the
// inventory.
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::topogen {

// The names `--algorithm` takes.
inline constexpr const char* kAlgorithms = "mixnet, ring, matching, round-robin";

// MixNet's greedy (SIGCOMM 2025): symmetrise the demand; repeatedly take the heaviest remaining
// pair and give it a circuit when both hosts still have a free port on a switch they share; the
// pair's weight becomes demand / (circuits + 1); stop when no circuit can be added. Ties: the pair
// whose first host comes first in inventory order, then its second host. Pairs without demand
// get no circuit.
Result<Topology> generate_mixnet(const std::string& name, const DemandMatrix& demand, const Inventory& inventory,
                                 const std::string& region = {});

// Each host to the next in inventory order, and the last to the first (one circuit per
// neighbouring pair that shares a switch with free ports; two hosts: one circuit).
Result<Topology> generate_ring(const std::string& name, const Inventory& inventory, const std::string& region = {});

// Rounds of a maximum-weight matching on the demand (weights demand / (circuits + 1) as in
// mixnet), repeated while a round adds a circuit, so every port can be used. Each round's matching
// is exact up to kExactMatchingHosts hosts (a MixNet region has 8); above, greedy (heaviest pair
// first) improved by swaps: not always the maximum, at least half of it (docs/topologies.md).
Result<Topology> generate_matching(const std::string& name, const DemandMatrix& demand, const Inventory& inventory,
                                   const std::string& region = {});

// The circle method: for n hosts (inventory order), n-1 rounds (n rounds when n is odd, each with
// one host idle) in which every pair of hosts meets exactly once; round r is NAME-r (1-based),
// one circuit per pair that shares a switch.
Result<std::vector<Topology>> generate_round_robin(const std::string& name, const Inventory& inventory,
                                                   const std::string& region = {});

// One matching's pairs (i < j) over vertices 0..n-1 with symmetric weights w, only pairs with
// w > 0 and allowed[i][j]: exact_matching when n <= kExactMatchingHosts, else swap_matching.
using MatchedPairs = std::vector<std::pair<std::size_t, std::size_t>>;
inline constexpr std::size_t kExactMatchingHosts = 16;
MatchedPairs heavy_matching(const std::vector<std::vector<double>>& w, const std::vector<std::vector<bool>>& allowed);
// The maximum weight, by dynamic programming over subsets: O(2^n x n), for n <= 20.
MatchedPairs exact_matching(const std::vector<std::vector<double>>& w, const std::vector<std::vector<bool>>& allowed);
// Greedy, heaviest pair first, then swaps while one raises the total; O(n^3) per pass.
MatchedPairs swap_matching(const std::vector<std::vector<double>>& w, const std::vector<std::vector<bool>>& allowed);

}  // namespace mixnet::coord::topogen
