#include "coordinator/health/retest_plan.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "coordinator/health/pair_tally.hpp"
#include "coordinator/model/inventory.hpp"

// Which ports need a retest, and with whom (docs/health/blame.md, "Retest planning"):
//   - a suspect is a port that failed and never passed with anyone, unless it already failed
//     with two partners that passed with others (then blame has all it needs); both ends of a
//     failed circuit are suspects unless they passed with someone else, so a bad circuit is
//     told from a bad port;
//   - a suspect wants as many fresh partners as it lacks credible failures (two at most);
//   - a partner passed a test, is not a suspect, sits on the same switch and is cabled the same
//     way (an NxM circuit runs from a TX input to an RX output, so both need TX and RX there),
//     is on another host, and was never paired with the suspect;
//   - each round is a maximum matching between suspects and partners (Kuhn's augmenting paths,
//     in a fixed order), so no port is used twice in a round and no suspect is left out of a
//     round while a free partner could have been found for it by rearranging the others;
//   - a path (circuit or electrical pair) that failed once while both its ends passed with others
//     is tested once more, the same pair the same way round: one slow sample on a busy host must
//     not blame a cable. These go into a round first (disjoint, inventory order); the matching
//     takes the ports they leave free.

namespace mixnet::coord::health {
namespace {

// Ports that can be joined through the `via` fabric share a group: "ocs SWITCH tx/rx",
// "ocs SWITCH port" or "eps SWITCH".
std::optional<std::string> group_of(const HostPort& port, PartKind via) {
  if (via == PartKind::eps_pair) {
    if (!port.eps) return std::nullopt;
    return "eps " + port.eps->switch_name;
  }
  if (!port.ocs) return std::nullopt;
  if (port.ocs->port) return "ocs " + port.ocs->switch_name + " port";
  if (port.ocs->tx && port.ocs->rx) return "ocs " + port.ocs->switch_name + " tx/rx";
  return std::nullopt;
}

struct Suspect {
  std::string port;
  int need = 0;   // fresh partners still wanted
};

class Planner {
 public:
  Planner(const std::vector<PairTest>& done, const Inventory& inventory, PartKind via, const std::set<std::string>& unreachable)
      : tally_(of_fabric(done, via), unreachable) {
    int order = 0;
    for (const auto& host : inventory.hosts) {
      for (const auto& port : host.ports) {
        auto group = group_of(port, via);
        if (!group) continue;
        const std::string name = PortRef{host.name, port.name}.str();
        group_[name] = *group;
        order_[name] = order++;
      }
    }
    std::set<std::string> untested;   // in `done`, but every test was with a dead agent
    for (const auto& t : of_fabric(done, via)) {
      for (const auto* end : {&t.a, &t.b}) {
        if (!unreachable.contains(host_of(*end)) && !tally_.tested(*end)) untested.insert(*end);
      }
    }
    for (const auto& [port, tally] : tally_.ports()) {
      if (!group_.contains(port) || tally.failed_with.empty() || !tally.passed_with.empty()) continue;
      const auto credible = static_cast<int>(tally_.credible_failures(port).size());
      if (credible < 2) suspects_.push_back({port, 2 - credible});
    }
    for (const auto& port : untested) {
      if (group_.contains(port)) suspects_.push_back({port, 1});
    }
    std::ranges::sort(suspects_, {}, [&](const Suspect& s) { return std::tuple(-s.need, order_.at(s.port)); });
    std::set<std::string> suspect_names;
    for (const auto& s : suspects_) suspect_names.insert(s.port);
    for (const auto& [port, tally] : tally_.ports()) {
      if (group_.contains(port) && !tally.passed_with.empty() && !suspect_names.contains(port)) partners_.push_back(port);
    }
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& t : of_fabric(done, via)) {
      if (!seen.insert(std::minmax(t.a, t.b)).second || !path_wants_retest(t)) continue;
      again_.push_back({.a = t.a, .b = t.b, .again = true});
    }
    std::ranges::sort(again_, {}, [&](const RetestPair& p) { return std::tuple(order_.at(p.a), order_.at(p.b)); });
  }

  std::vector<RetestRound> plan(int max_rounds) {
    std::vector<RetestRound> rounds;
    for (int r = 0; r < max_rounds; ++r) {
      RetestRound round = take_path_retests();
      std::set<std::string> busy;
      for (const auto& p : round) busy.insert({p.a, p.b});
      for (auto& pair : match_round(busy)) {
        planned_.insert({pair.a, pair.b});
        ++uses_[pair.b];
        for (auto& s : suspects_) {
          if (s.port == pair.a) --s.need;
        }
        round.push_back(std::move(pair));
      }
      if (round.empty()) break;
      std::ranges::sort(round, {}, [&](const RetestPair& p) { return std::tuple(order_.at(p.a), order_.at(p.b)); });
      rounds.push_back(std::move(round));
    }
    return rounds;
  }

 private:
  static std::vector<PairTest> of_fabric(const std::vector<PairTest>& done, PartKind via) {
    std::vector<PairTest> out;
    for (const auto& t : done) {
      const bool through_eps = t.via == PartKind::eps_pair;
      if (through_eps == (via == PartKind::eps_pair)) out.push_back(t);
    }
    return out;
  }

  // A path whose only test failed while both its ends passed with others (so neither end explains
  // it): tested once more before blame may name it.
  bool path_wants_retest(const PairTest& t) const {
    if (t.a == t.b || !group_.contains(t.a) || !group_.contains(t.b)) return false;
    if (!tally_.pair_failed(t.a, t.b) || tally_.times_tested(t.a, t.b) != 1) return false;
    return !tally_.of(t.a).passed_with.empty() && !tally_.of(t.b).passed_with.empty();
  }

  // This round's same-pair retests: in inventory order, each whose two ends are still free. They
  // go first (one test settles a path); the suspects' matching takes the ports they leave.
  RetestRound take_path_retests() {
    RetestRound round;
    std::set<std::string> used;
    for (auto it = again_.begin(); it != again_.end();) {
      if (used.contains(it->a) || used.contains(it->b)) {
        ++it;
        continue;
      }
      used.insert({it->a, it->b});
      round.push_back(*it);
      it = again_.erase(it);
    }
    return round;
  }

  bool may_pair(const std::string& suspect, const std::string& partner) const {
    return group_.at(suspect) == group_.at(partner) && host_of(suspect) != host_of(partner) && !tally_.paired(suspect, partner) &&
           !planned_.contains({suspect, partner});
  }

  // The partners a suspect may get this round, best first: clean ones (no failure at all), then
  // the least used in earlier rounds, then inventory order.
  std::vector<std::string> candidates(const std::string& suspect, const std::set<std::string>& busy) const {
    std::vector<std::string> out;
    for (const auto& p : partners_) {
      if (!busy.contains(p) && may_pair(suspect, p)) out.push_back(p);
    }
    auto uses = [&](const std::string& p) { auto it = uses_.find(p); return it == uses_.end() ? 0 : it->second; };
    std::ranges::sort(out, {}, [&](const std::string& p) {
      return std::tuple(!tally_.of(p).failed_with.empty(), uses(p), order_.at(p));
    });
    return out;
  }

  // Kuhn's algorithm: try to give `s` a partner, moving earlier suspects to other partners only
  // when no partner of its own is free (so preferences hold wherever they can).
  bool augment(std::size_t s, const std::vector<std::vector<std::string>>& adjacency, std::map<std::string, std::size_t>& owner,
               std::set<std::string>& visited) const {
    for (const auto& p : adjacency[s]) {
      if (!owner.contains(p) && visited.insert(p).second) {
        owner[p] = s;
        return true;
      }
    }
    for (const auto& p : adjacency[s]) {
      if (!visited.insert(p).second) continue;
      auto it = owner.find(p);
      if (it == owner.end() || augment(it->second, adjacency, owner, visited)) {
        owner[p] = s;
        return true;
      }
    }
    return false;
  }

  // `busy`: ports this round's same-pair retests already use.
  RetestRound match_round(const std::set<std::string>& busy) const {
    std::vector<std::vector<std::string>> adjacency(suspects_.size());
    for (std::size_t s = 0; s < suspects_.size(); ++s) {
      if (suspects_[s].need > 0) adjacency[s] = candidates(suspects_[s].port, busy);
    }
    std::map<std::string, std::size_t> owner;   // partner -> suspect index
    for (std::size_t s = 0; s < suspects_.size(); ++s) {
      std::set<std::string> visited;
      if (!adjacency[s].empty()) (void)augment(s, adjacency, owner, visited);   // no partner: left out this round
    }
    RetestRound round;
    for (const auto& [partner, s] : owner) round.push_back({.a = suspects_[s].port, .b = partner, .again = false});
    return round;
  }

  PairTally tally_;
  std::map<std::string, std::string> group_;
  std::map<std::string, int> order_;
  std::vector<Suspect> suspects_;
  std::vector<std::string> partners_;
  std::vector<RetestPair> again_;   // failed paths still to test once more
  std::set<std::pair<std::string, std::string>> planned_;
  std::map<std::string, int> uses_;
};

}  // namespace

std::vector<RetestRound> plan_retest(const std::vector<PairTest>& done, const Inventory& inventory, PartKind via, int max_rounds,
                                     const std::set<std::string>& unreachable_hosts) {
  return Planner(done, inventory, via, unreachable_hosts).plan(max_rounds);
}

std::vector<RetestRound> plan_retest(const std::vector<PairTest>& done, const Inventory& inventory, PartKind via, int max_rounds) {
  return plan_retest(done, inventory, via, max_rounds, {});
}

}  // namespace mixnet::coord::health
