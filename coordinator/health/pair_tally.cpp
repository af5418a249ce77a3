#include "coordinator/health/pair_tally.hpp"

namespace mixnet::coord::health {

std::string host_of(std::string_view port) { return std::string(port.substr(0, port.find(':'))); }

PairTally::PairTally(const std::vector<PairTest>& tests, const std::set<std::string>& unreachable_hosts) {
  // First every pair's outcome (its latest round's; a failure wins within a round), then each
  // port's partners from it, so the order of the tests does not matter.
  for (const auto& t : tests) {
    if (t.a == t.b || t.a.empty() || t.b.empty()) continue;
    if (unreachable_hosts.contains(host_of(t.a)) || unreachable_hosts.contains(host_of(t.b))) continue;
    auto& r = pairs_[t.a < t.b ? std::pair{t.a, t.b} : std::pair{t.b, t.a}];
    ++r.tests;
    if (t.round > r.latest_round) {
      r.latest_round = t.round;
      r.latest_failed = !t.passed;
    } else if (t.round == r.latest_round) {
      r.latest_failed = r.latest_failed || !t.passed;
    }
  }
  for (const auto& [pair, r] : pairs_) {
    auto& first = ports_[pair.first];
    auto& second = ports_[pair.second];
    (r.latest_failed ? first.failed_with : first.passed_with).insert(pair.second);
    (r.latest_failed ? second.failed_with : second.passed_with).insert(pair.first);
  }
}

const PairTally::PairRecord* PairTally::record(const std::string& a, const std::string& b) const {
  auto it = pairs_.find(a < b ? std::pair{a, b} : std::pair{b, a});
  return it == pairs_.end() ? nullptr : &it->second;
}

int PairTally::times_tested(const std::string& a, const std::string& b) const {
  const auto* r = record(a, b);
  return r == nullptr ? 0 : r->tests;
}


const PortTally& PairTally::of(const std::string& port) const {
  static const PortTally kNever;
  auto it = ports_.find(port);
  return it == ports_.end() ? kNever : it->second;
}

bool PairTally::pair_failed(const std::string& a, const std::string& b) const { return of(a).failed_with.contains(b); }

bool PairTally::paired(const std::string& a, const std::string& b) const {
  const auto& t = of(a);
  return t.failed_with.contains(b) || t.passed_with.contains(b);
}

std::set<std::string> PairTally::credible_failures(const std::string& port, const std::set<std::string>& explained) const {
  std::set<std::string> out;
  for (const auto& partner : of(port).failed_with) {
    if (explained.contains(partner)) continue;
    if (!of(partner).passed_with.empty()) out.insert(partner);
  }
  return out;
}

}  // namespace mixnet::coord::health
