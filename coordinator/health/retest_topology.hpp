#pragma once
// A retest round through the OCS as a topology the ocs.apply path can set (the same Topology
// type a topology file yields): one circuit per pair, resolved against the inventory's cabling.
#include <string>

#include "common/result.hpp"
#include "coordinator/health/retest_plan.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"

namespace mixnet::coord::health {

// `name` as a topology name ([A-Za-z0-9_.-], e.g. "retest-1"). Errors name the pair that cannot
// be a circuit (a port unknown, not on an OCS, on another switch, used twice).
Result<Topology> retest_topology(const RetestRound& round, const Inventory& inventory, const std::string& name);

}  // namespace mixnet::coord::health
