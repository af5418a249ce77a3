// INTERIM, until h/rules and h/blame are merged: minimal implementations of the contracts in
// rules.hpp, blame.hpp and retest_plan.hpp so that the nightly run links and runs end to end.
// The lead drops this file when merging those branches (their implementations replace it).
//   - rules: no rule (default_rules is empty; read_rules refuses files): findings come only from
//     the checks themselves (health.hosts) and blame reads the tests;
//   - blame: the contract's test logic (port: failed with >= 2 partners and passed with none;
//     host: unreachable, or every port under test blamed; circuit: failed while both ends passed
//     with others; unknown: failed once, never retested), plus critical findings on hosts/ports;
//   - plan_retest: each end of a failed test that has fewer than two failed partners gets a fresh
//     partner that failed nothing, on the same switch and another host, one per round.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "coordinator/health/blame.hpp"
#include "coordinator/health/retest_plan.hpp"
#include "coordinator/health/rules.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord::health {

struct Rule {};
RuleSet::RuleSet() = default;
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;

RuleSet default_rules() {
  RuleSet r;
  r.source = "built-in defaults";
  return r;
}

Result<RuleSet> read_rules(const std::string& path) {
  return fail(Errc::unavailable, path + ": this build reads no rules files yet", "rules");
}

std::vector<Finding> evaluate(const RuleSet& /*rules*/, const std::vector<Observation>& /*observations*/, const Baseline* /*baseline*/) {
  return {};
}

namespace {

std::string host_of(const std::string& port) { return port.substr(0, port.find(':')); }

struct PortRecord {
  std::set<std::string> failed_with, passed_with;
  std::vector<PairTest> tests;
};

std::map<std::string, PortRecord> records_of(const std::vector<PairTest>& tests, const std::set<std::string>& unreachable) {
  std::map<std::string, PortRecord> by_port;
  for (const auto& t : tests) {
    if (unreachable.contains(host_of(t.a)) || unreachable.contains(host_of(t.b))) continue;
    for (const auto& [me, other] : {std::pair{t.a, t.b}, std::pair{t.b, t.a}}) {
      auto& r = by_port[me];
      (t.passed ? r.passed_with : r.failed_with).insert(other);
      r.tests.push_back(t);
    }
  }
  return by_port;
}

}  // namespace

std::vector<Blame> blame(const BlameInput& input) {
  std::vector<Blame> out;
  for (const auto& h : input.unreachable_hosts) {
    out.push_back({.severity = Severity::critical, .kind = PartKind::host, .part = h, .hosts = {h},
                   .reason = fmt::format("mixnet: {} agent did not answer", h)});
  }
  const auto by_port = records_of(input.tests, input.unreachable_hosts);
  std::map<std::string, Blame> port_blames;
  for (const auto& [port, r] : by_port) {
    if (r.failed_with.size() >= 2 && r.passed_with.empty()) {
      const PairTest* worst = nullptr;
      for (const auto& t : r.tests) {
        if (!t.passed) worst = &t;
      }
      port_blames[port] = {.severity = Severity::critical, .kind = PartKind::port, .part = port, .hosts = {host_of(port)},
                           .reason = fmt::format("{} failed with {} partners ({})", port, r.failed_with.size(), worst->detail),
                           .tests = r.tests};
    } else if (r.failed_with.size() == 1 && r.passed_with.empty()) {
      const std::string other = *r.failed_with.begin();
      const auto o = by_port.find(other);
      // Its partner is the broken one when the partner failed everything with two or more.
      const bool explained = o != by_port.end() && o->second.failed_with.size() >= 2 && o->second.passed_with.empty();
      if (!explained) {
        port_blames[port] = {.severity = Severity::unknown, .kind = PartKind::port, .part = port,
                             .reason = fmt::format("{} failed with one partner ({}) and was not retested with another", port, other),
                             .tests = r.tests};
      }
    }
  }
  // A circuit (or electrical pair) that failed while both its ends passed with others.
  std::set<std::string> circuits;
  for (const auto& t : input.tests) {
    if (t.passed || input.unreachable_hosts.contains(host_of(t.a)) || input.unreachable_hosts.contains(host_of(t.b))) continue;
    const auto a = by_port.find(t.a), b = by_port.find(t.b);
    if (a == by_port.end() || b == by_port.end() || a->second.passed_with.empty() || b->second.passed_with.empty()) continue;
    if (!circuits.insert(t.path).second) continue;
    out.push_back({.severity = Severity::critical, .kind = t.via, .part = t.path,
                   .reason = fmt::format("{} failed ({}) while both ends passed with others", t.path, t.detail), .tests = {t}});
  }
  // Critical findings on hosts and ports the tests did not already blame.
  std::map<std::string, Blame> finding_blames;
  for (const auto& f : input.findings) {
    if (f.severity != Severity::critical || input.unreachable_hosts.contains(f.part)) continue;
    if (f.kind != PartKind::port && f.kind != PartKind::host) continue;
    if (auto it = port_blames.find(f.part); it != port_blames.end()) {
      it->second.findings.push_back(f);
      continue;
    }
    auto& b = finding_blames[f.part];
    if (b.part.empty()) {
      b = {.severity = Severity::critical, .kind = f.kind, .part = f.part, .hosts = {host_of(f.part)},
           .reason = fmt::format("{}: {}", f.part, f.message)};
    }
    b.findings.push_back(f);
  }
  // A host all of whose ports under test are blamed is blamed as a host.
  for (const auto& [host, ports] : input.host_ports) {
    if (ports.empty() || input.unreachable_hosts.contains(host)) continue;
    const bool all = std::all_of(ports.begin(), ports.end(), [&](const std::string& p) {
      const auto it = port_blames.find(p);
      return it != port_blames.end() && it->second.severity == Severity::critical;
    });
    if (!all) continue;
    Blame h{.severity = Severity::critical, .kind = PartKind::host, .part = host, .hosts = {host},
            .reason = fmt::format("every port of {} failed", host)};
    for (const auto& p : ports) {
      for (auto& t : port_blames[p].tests) h.tests.push_back(t);
      port_blames.erase(p);
    }
    out.push_back(std::move(h));
  }
  for (auto& [_, b] : port_blames) out.push_back(std::move(b));
  for (auto& [_, b] : finding_blames) out.push_back(std::move(b));
  return out;
}

std::vector<RetestRound> plan_retest(const std::vector<PairTest>& done, const Inventory& inventory, PartKind via, int max_rounds) {
  std::map<std::string, PortRecord> by_port;
  for (const auto& t : done) {
    if (t.via != via) continue;
    for (const auto& [me, other] : {std::pair{t.a, t.b}, std::pair{t.b, t.a}}) {
      auto& r = by_port[me];
      (t.passed ? r.passed_with : r.failed_with).insert(other);
    }
  }
  // The switch each port is cabled to, for this kind of test.
  std::map<std::string, std::string> switch_of;
  for (const auto& h : inventory.hosts) {
    for (const auto& p : h.ports) {
      const std::string id = h.name + ":" + p.name;
      if (via == PartKind::circuit && p.ocs) switch_of[id] = p.ocs->switch_name;
      if (via == PartKind::eps_pair && p.eps) switch_of[id] = p.eps->switch_name;
    }
  }
  std::vector<std::string> suspects, clean;
  for (const auto& [port, r] : by_port) {
    if (!r.failed_with.empty() && r.failed_with.size() < 2 && r.passed_with.empty()) suspects.push_back(port);
    if (r.failed_with.empty() && !r.passed_with.empty()) clean.push_back(port);
  }
  std::map<std::string, std::set<std::string>> met;
  for (const auto& [port, r] : by_port) {
    met[port].insert(r.failed_with.begin(), r.failed_with.end());
    met[port].insert(r.passed_with.begin(), r.passed_with.end());
  }
  std::vector<RetestRound> rounds;
  std::set<std::string> served;
  for (int round = 0; round < max_rounds; ++round) {
    RetestRound pairs;
    std::set<std::string> used;
    for (const auto& s : suspects) {
      if (served.contains(s)) continue;
      for (const auto& c : clean) {
        if (used.contains(c) || met[s].contains(c) || host_of(c) == host_of(s) || switch_of[c] != switch_of[s]) continue;
        pairs.push_back({.a = s, .b = c});
        used.insert(c);
        served.insert(s);
        break;
      }
    }
    if (pairs.empty()) break;
    rounds.push_back(std::move(pairs));
  }
  return rounds;
}

}  // namespace mixnet::coord::health
