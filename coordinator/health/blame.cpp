#include "coordinator/health/blame.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "coordinator/health/finding_scope.hpp"
#include "coordinator/health/pair_tally.hpp"

// How blame is decided, step by step, is written out in docs/health/blame.md; the order of the
// steps below is that order: a dead agent first (its failures count against nobody else), then
// findings that blame their part on their own, then the partner rule, the host roll-up, and
// last the circuits, which are blamed only when nothing at either end explains their failure.

namespace mixnet::coord::health {
namespace {

std::string test_detail(const PairTest& t) {
  if (!t.detail.empty()) return t.detail;
  if (t.gbps && t.threshold_gbps) return fmt::format("{:.1f} Gb/s < {:.1f}", *t.gbps, *t.threshold_gbps);
  if (t.gbps) return fmt::format("{:.1f} Gb/s", *t.gbps);
  return "no result";
}

// The failed test that shows best what is wrong: the lowest figure; a test without a figure only
// when none has one (then the first, in test order).
const PairTest* worst_of(const std::vector<const PairTest*>& failed) {
  const PairTest* best = nullptr;
  for (const auto* t : failed) {
    if (best == nullptr) {
      best = t;
    } else if (t->gbps && (!best->gbps || *t->gbps < *best->gbps)) {
      best = t;
    }
  }
  return best;
}

std::string finding_text(const Finding& f) {
  if (!f.message.empty()) return f.figure + " " + f.message;
  if (f.value) return fmt::format("{} {}", f.figure, *f.value);
  return f.figure;
}

int severity_rank(Severity s) {
  switch (s) {
    case Severity::critical: return 0;
    case Severity::unknown: return 1;
    case Severity::warning: return 2;
    case Severity::ok: return 3;
  }
  return 3;
}

using BlameKey = std::pair<PartKind, std::string>;

class Judge {
 public:
  explicit Judge(const BlameInput& input) : in_(input), tally_(input.tests, input.unreachable_hosts) {
    for (const auto& [host, ports] : in_.host_ports) {
      for (const auto& port : ports) host_of_port_[port] = host;
    }
    for (const auto& t : in_.tests) {
      for (const auto* end : {&t.a, &t.b}) {
        if (!end->empty()) host_of_port_.try_emplace(*end, host_of(*end));
      }
    }
  }

  std::vector<Blame> run() {
    blame_unreachable_hosts();
    blame_findings_on_their_own();
    blame_by_partners();
    roll_up_hosts();
    blame_paths();
    return finish();
  }

 private:
  std::string host(const std::string& port) const {
    auto it = host_of_port_.find(port);
    return it == host_of_port_.end() ? host_of(port) : it->second;
  }
  std::string owner_of(const std::string& ocs_port) const {
    auto it = in_.ocs_port_owner.find(ocs_port);
    return it == in_.ocs_port_owner.end() ? std::string() : it->second;
  }
  const Blame* find(PartKind kind, const std::string& part) const {
    auto it = blames_.find({kind, part});
    return it == blames_.end() ? nullptr : &it->second;
  }
  bool critical(PartKind kind, const std::string& part) const {
    const auto* b = find(kind, part);
    return b != nullptr && b->severity == Severity::critical;
  }
  // A port is covered when a blame already accounts for it: its host's, its own, or its switch
  // port's (a weak OCS port). `only_critical`: an unknown blame explains nothing.
  bool covered(const std::string& port, bool only_critical) const {
    auto counts = [&](const Blame* b) { return b != nullptr && (!only_critical || b->severity == Severity::critical); };
    if (in_.unreachable_hosts.contains(host(port))) return true;
    if (counts(find(PartKind::host, host(port))) || counts(find(PartKind::port, port))) return true;
    for (const auto& [key, b] : blames_) {
      if (key.first == PartKind::ocs_port && owner_of(key.second) == port && counts(&b)) return true;
    }
    return false;
  }
  void put(Blame b) {
    auto key = BlameKey{b.kind, b.part};
    blames_.insert_or_assign(std::move(key), std::move(b));
  }
  std::vector<const PairTest*> failed_tests_with(const std::string& port, const std::set<std::string>& partners) const {
    std::vector<const PairTest*> out;
    for (const auto& t : in_.tests) {
      if (t.passed) continue;
      if ((t.a == port && partners.contains(t.b)) || (t.b == port && partners.contains(t.a))) out.push_back(&t);
    }
    return out;
  }

  // 1. A host whose agent did not answer: the host, and nothing about its peers.
  void blame_unreachable_hosts() {
    for (const auto& h : in_.unreachable_hosts) {
      put(Blame{.severity = Severity::critical, .kind = PartKind::host, .part = h, .hosts = {h},
                .reason = fmt::format("{} agent unreachable", h), .tests = {}, .findings = {}});
    }
  }

  // 2. Findings about a figure measured at one part alone (counters, flaps, light, drift).
  void blame_findings_on_their_own() {
    std::map<BlameKey, std::vector<const Finding*>> by_part;
    for (const auto& f : in_.findings) {
      if (blames_on_its_own(f)) by_part[{f.kind, f.part}].push_back(&f);
    }
    // Hosts first, then ports, then switch ports: the map's key order is PartKind's order.
    for (const auto& [key, findings] : by_part) {
      const auto& [kind, part] = key;
      const auto first_critical = std::ranges::find_if(findings, [](const Finding* f) { return f->severity == Severity::critical; });
      const bool is_critical = first_critical != findings.end();
      const Finding& shown = is_critical ? **first_critical : *findings.front();
      const Severity severity = is_critical ? Severity::critical : Severity::unknown;
      Blame b{.severity = severity, .kind = kind, .part = part, .hosts = {}, .reason = {}, .tests = {}, .findings = {}};
      if (kind == PartKind::host) {
        if (in_.unreachable_hosts.contains(part)) continue;
        b.reason = fmt::format("{} {}", part, finding_text(shown));
        if (is_critical) b.hosts = {part};
      } else if (kind == PartKind::port) {
        if (in_.unreachable_hosts.contains(host(part)) || critical(PartKind::host, host(part))) continue;
        b.reason = fmt::format("{} {}", part, finding_text(shown));
        if (is_critical) b.hosts = {host(part)};
      } else {
        const std::string owner = owner_of(part);
        if (!owner.empty() && covered(owner, true)) continue;   // the port's own blame explains its light
        b.reason = owner.empty() ? fmt::format("{} {}", part, finding_text(shown))
                                 : fmt::format("{} ({}) {}", part, owner, finding_text(shown));
        if (is_critical && !owner.empty()) b.hosts = {host(owner)};
      }
      put(std::move(b));
    }
    for (const auto& [port, tally] : tally_.ports()) {
      if (covered(port, true)) explained_.insert(port);
    }
  }

  // 3. The partner rule: blamed after failing with two partners that passed with others.
  void blame_by_partners() {
    for (const auto& [port, tally] : tally_.ports()) {
      if (covered(port, true) || tally.failed_with.empty()) continue;
      const auto credible = tally_.credible_failures(port, explained_);
      if (credible.size() >= 2) {
        const auto* shown = worst_of(failed_tests_with(port, credible));
        put(Blame{.severity = Severity::critical, .kind = PartKind::port, .part = port, .hosts = {host(port)},
                  .reason = fmt::format("{} failed with {} partners ({})", port, credible.size(), test_detail(*shown)),
                  .tests = {}, .findings = {}});
        continue;
      }
      if (!tally.passed_with.empty() || find(PartKind::port, port) != nullptr) continue;
      // Never passed with anyone: could not judge, and said so rather than passed.
      const auto* shown = worst_of(failed_tests_with(port, tally.failed_with));
      std::string reason;
      if (tally.failed_with.size() == 1) {
        reason = fmt::format("{} failed with its only partner {} ({}) and was not retested with another", port,
                             *tally.failed_with.begin(), test_detail(*shown));
      } else {
        reason = fmt::format("{} failed with {} partners ({}) but only {} of them passed with another port", port,
                             tally.failed_with.size(), test_detail(*shown), credible.size());
      }
      put(Blame{.severity = Severity::unknown, .kind = PartKind::port, .part = port, .hosts = {}, .reason = std::move(reason),
                .tests = {}, .findings = {}});
    }
  }

  // 4. A host every one of whose tested ports (two or more) is blamed: one blame for the host.
  void roll_up_hosts() {
    std::map<std::string, std::vector<std::string>> tested_ports;
    for (const auto& [port, tally] : tally_.ports()) tested_ports[host(port)].push_back(port);
    for (const auto& [h, ports] : tested_ports) {
      if (ports.size() < 2 || find(PartKind::host, h) != nullptr) continue;
      if (!std::ranges::all_of(ports, [&](const std::string& p) { return covered(p, true); })) continue;
      std::vector<BlameKey> merged;
      for (const auto& [key, b] : blames_) {
        const bool on_host = (key.first == PartKind::port && host(key.second) == h) ||
                             (key.first == PartKind::ocs_port && !owner_of(key.second).empty() && host(owner_of(key.second)) == h);
        if (on_host) merged.push_back(key);
      }
      const std::string first_reason = merged.empty() ? std::string() : blames_.at(merged.front()).reason;
      for (const auto& key : merged) blames_.erase(key);
      put(Blame{.severity = Severity::critical, .kind = PartKind::host, .part = h, .hosts = {h},
                .reason = fmt::format("{} all {} tested ports blamed; {}", h, ports.size(), first_reason), .tests = {},
                .findings = {}});
    }
  }

  // 5. A circuit (or electrical pair) that failed while both its ends passed with others: blamed
  //    when it failed its retest too (the same pair once more); one failed sample alone is
  //    unknown, since a busy host can slow one test of a good path.
  void blame_paths() {
    for (const auto& t : in_.tests) {
      if (t.passed || t.a == t.b || !tally_.tested(t.a) || !tally_.tested(t.b)) continue;
      if (!tally_.pair_failed(t.a, t.b)) continue;   // it passed its retest: the failure was transient
      if (covered(t.a, false) || covered(t.b, false)) continue;
      if (tally_.of(t.a).passed_with.empty() || tally_.of(t.b).passed_with.empty()) continue;
      const PartKind kind = t.via == PartKind::eps_pair ? PartKind::eps_pair : PartKind::circuit;
      const std::string name = path_name(t);
      if (find(kind, name) != nullptr) continue;
      std::vector<const PairTest*> failed;   // this path's failed tests (a circuit is one direction)
      for (const auto& u : in_.tests) {
        if (!u.passed && path_name(u) == name) failed.push_back(&u);
      }
      if (failed.size() >= 2) {
        put(Blame{.severity = Severity::critical, .kind = kind, .part = name, .hosts = {},
                  .reason = fmt::format("{} failed {} times ({}) but both ends passed with others", name, failed.size(),
                                        test_detail(*worst_of(failed))),
                  .tests = {}, .findings = {}});
      } else {
        put(Blame{.severity = Severity::unknown, .kind = kind, .part = name, .hosts = {},
                  .reason = fmt::format("{} failed ({}) and was not retested; both ends passed with others", name, test_detail(t)),
                  .tests = {}, .findings = {}});
      }
    }
  }

  // Every test and finding that involved the blamed part, in a fixed order.
  bool port_in_part(const std::string& port, const Blame& b) const {
    switch (b.kind) {
      case PartKind::host: return host(port) == b.part;
      case PartKind::port: return port == b.part;
      case PartKind::ocs_port: return !owner_of(b.part).empty() && owner_of(b.part) == port;
      case PartKind::circuit:
      case PartKind::eps_pair: return false;
    }
    return false;
  }
  bool test_is_evidence(const PairTest& t, const Blame& b) const {
    if (b.kind == PartKind::circuit || b.kind == PartKind::eps_pair) return path_name(t) == b.part;
    return port_in_part(t.a, b) || port_in_part(t.b, b);
  }
  bool finding_is_evidence(const Finding& f, const Blame& b) const {
    if (f.kind == b.kind && f.part == b.part) return true;
    switch (f.kind) {
      case PartKind::host: return b.kind == PartKind::host && f.part == b.part;
      case PartKind::port: return port_in_part(f.part, b);
      case PartKind::ocs_port: return !owner_of(f.part).empty() && port_in_part(owner_of(f.part), b);
      case PartKind::circuit:
      case PartKind::eps_pair: {
        const auto ends = ends_of(f.part);
        if (ends.size() != 2) return false;
        if (b.kind == f.kind) {
          // An electrical pair is the same in either order.
          return f.kind == PartKind::eps_pair && ends_of(b.part) == std::vector<std::string>{ends[1], ends[0]};
        }
        return port_in_part(ends[0], b) || port_in_part(ends[1], b);
      }
    }
    return false;
  }

  std::vector<Blame> finish() {
    std::vector<Blame> out;
    for (auto& [key, b] : blames_) {
      for (const auto& t : in_.tests) {
        if (test_is_evidence(t, b)) b.tests.push_back(t);
      }
      for (const auto& f : in_.findings) {
        if (finding_is_evidence(f, b)) b.findings.push_back(f);
      }
      std::ranges::sort(b.tests, {}, [](const PairTest& t) { return std::tie(t.round, t.a, t.b, t.path, t.detail); });
      std::ranges::sort(b.findings, {}, [](const Finding& f) { return std::tie(f.part, f.figure, f.rule, f.message); });
      out.push_back(std::move(b));
    }
    std::ranges::stable_sort(out, {}, [](const Blame& b) { return std::tuple(severity_rank(b.severity), b.kind, b.part); });
    return out;
  }

  const BlameInput& in_;
  PairTally tally_;
  std::map<std::string, std::string> host_of_port_;
  std::map<BlameKey, Blame> blames_;
  std::set<std::string> explained_;   // ports whose failures their own critical blame explains
};

}  // namespace

std::vector<Blame> blame(const BlameInput& input) { return Judge(input).run(); }

}  // namespace mixnet::coord::health
