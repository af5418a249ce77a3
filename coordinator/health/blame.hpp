#pragma once
// Blame: from every bandwidth test of a run (first pass and retests) and the rules' findings,
// decide which parts are broken, and nothing else (docs/health.md, "How blame is decided"):
//   - a port is blamed only when it failed with at least two different partners;
//   - a host when every one of its tested ports is blamed, or its agent did not answer
//     (then its peers' failed tests against it count against nobody else);
//   - a circuit (the cable or the OCS path) when it failed twice (its retest too) but both its
//     ends passed with others; after one failure and no retest it is "unknown";
//   - a port that failed with one partner and was never retested with another is "unknown"
//     (could not judge), never silently passed.
// Every Blame carries the tests and findings behind it.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

struct BlameInput {
  std::vector<PairTest> tests;
  std::vector<Finding> findings;                         // non-ok rule findings (power, counters, flaps, ...)
  std::set<std::string> unreachable_hosts;
  std::map<std::string, std::vector<std::string>> host_ports;   // host -> its NIC ports "h1:ocs0" under test
  // Added by blame: the switch port -> the NIC port cabled to it ("ocs1/17" -> "h1:ocs0"), so a
  // finding on a switch port (optical power) reaches the host behind it (blame_inputs.hpp builds
  // it from the inventory). Empty: such findings are blamed on the switch port with no host.
  std::map<std::string, std::string> ocs_port_owner;
};

std::vector<Blame> blame(const BlameInput& input);

}  // namespace mixnet::coord::health
