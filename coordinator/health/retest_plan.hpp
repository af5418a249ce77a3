#pragma once
// Retest before blame: for each port whose test failed, new partners among the ports that passed,
// so that a port is only blamed after failing with two partners; and for a path (circuit or
// electrical pair) that failed while both its ends passed with others, the same pair once more,
// so that a path is only blamed after failing twice. Rounds are matchings (no port twice in a
// round), so each round is one OCS topology or one set of simultaneous electrical-switch pairs.
#include <set>
#include <string>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {
struct Inventory;
}

namespace mixnet::coord::health {

struct RetestPair {
  std::string a;       // "h1:ocs0": the port under suspicion (again: the sender of the failed test)
  std::string b;       // a partner that passed, on the same switch, never paired with a before
  bool again = false;  // the failed path a>b (or a~b) itself, once more: both ends passed with others
};
using RetestRound = std::vector<RetestPair>;

// For OCS ports (via == circuit): partners on the same optical switch (the inventory's cabling);
// for electrical ports (via == eps_pair): partners on the same electrical switch. At most
// `max_rounds` rounds; a suspect for whom no fresh passing partner exists is left out (blame then
// reports it as unknown, with the reason).
std::vector<RetestRound> plan_retest(const std::vector<PairTest>& done, const Inventory& inventory, PartKind via,
                                     int max_rounds = 2);

// Added by blame: the same, leaving out hosts whose agent did not answer. Their ports are neither
// retested nor partners, their failed tests make no suspect of a peer, and a peer whose every
// test was with them gets a fresh partner so that it is judged at all.
std::vector<RetestRound> plan_retest(const std::vector<PairTest>& done, const Inventory& inventory, PartKind via,
                                     int max_rounds, const std::set<std::string>& unreachable_hosts);

}  // namespace mixnet::coord::health
