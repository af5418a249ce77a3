// Properties of retest planning and blame on random testbeds and random outcomes: rounds use no
// port twice, partners share the suspect's switch and passed, every suspect gets a partner when
// one is free, nothing is blamed without a failed test or a finding, and nothing that failed
// passes silently.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include <fmt/format.h>

#include "coordinator/health/blame.hpp"
#include "coordinator/health/blame_inputs.hpp"
#include "coordinator/health/retest_plan.hpp"
#include "coordinator/model/inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::health;

namespace {

// A random testbed: 2..7 hosts, each port on one of two NxM switches, a one-port (any-to-any)
// switch, or one of two electrical switches.
struct RandomBed {
  Inventory inventory;
  std::map<std::string, std::string> fabric;   // port -> "ocs s1 tx/rx", "ocs s3 port", "eps e1", ...
  std::vector<std::string> ports;
};

RandomBed random_bed(std::mt19937& rng) {
  RandomBed bed;
  std::uniform_int_distribution<int> hosts_d(2, 7);
  std::uniform_int_distribution<int> ports_d(1, 4);
  std::uniform_int_distribution<int> kind_d(0, 4);
  std::map<std::string, int> next_number;
  std::string yaml = "version: 1\nhosts:\n";
  const int hosts = hosts_d(rng);
  for (int h = 1; h <= hosts; ++h) {
    yaml += fmt::format("  - name: h{}\n    agent: {{url: \"http://127.0.0.1:{}\"}}\n    ports:\n", h, 1000 + h);
    const int n = ports_d(rng);
    for (int p = 0; p < n; ++p) {
      const std::string name = fmt::format("h{}:p{}", h, p);
      switch (kind_d(rng)) {
        case 0:
        case 1: {
          const std::string sw = kind_d(rng) % 2 == 0 ? "s1" : "s2";
          const int k = ++next_number[sw];
          yaml += fmt::format("      - {{name: p{}, ocs: {{switch: {}, tx: {}, rx: {}}}}}\n", p, sw, k, 100 + k);
          bed.fabric[name] = "ocs " + sw + " tx/rx";
          break;
        }
        case 2: {
          const int k = ++next_number["s3"];
          yaml += fmt::format("      - {{name: p{}, ocs: {{switch: s3, port: {}}}}}\n", p, k);
          bed.fabric[name] = "ocs s3 port";
          break;
        }
        default: {
          const std::string sw = kind_d(rng) % 2 == 0 ? "e1" : "e2";
          yaml += fmt::format("      - {{name: p{}, eps: {{switch: {}}}}}\n", p, sw);
          bed.fabric[name] = "eps " + sw;
        }
      }
      bed.ports.push_back(name);
    }
  }
  yaml += "switches:\n";
  for (const char* s : {"s1", "s2", "s3"}) yaml += fmt::format("  - {{name: {}, kind: ocs, uri: \"polatis-tl1://a@h:1\"}}\n", s);
  yaml += "  - {name: e1, kind: eps}\n  - {name: e2, kind: eps}\n";
  auto inv = parse_inventory(yaml, "inv.yaml", "");
  INFO(yaml);
  REQUIRE(inv.has_value());
  bed.inventory = *inv;
  return bed;
}

std::string host_part(const std::string& port) { return port.substr(0, port.find(':')); }

// Random tests between ports of one fabric and other hosts, about a third of them failed.
std::vector<PairTest> random_tests(const RandomBed& bed, std::mt19937& rng) {
  std::vector<PairTest> out;
  std::uniform_int_distribution<std::size_t> pick(0, bed.ports.size() - 1);
  std::bernoulli_distribution fails(0.35);
  const std::size_t n = pick(rng) * 2;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& a = bed.ports[pick(rng)];
    const auto& b = bed.ports[pick(rng)];
    if (host_part(a) == host_part(b) || bed.fabric.at(a) != bed.fabric.at(b)) continue;
    const bool failed = fails(rng);
    const PartKind via = bed.fabric.at(a).starts_with("eps") ? PartKind::eps_pair : PartKind::circuit;
    out.push_back(PairTest{.a = a, .b = b, .via = via, .path = "", .round = 0, .passed = !failed,
                           .gbps = failed ? std::optional<double>() : 9.4, .threshold_gbps = 9.0, .detail = failed ? "x" : ""});
  }
  return out;
}

struct Tally {
  std::set<std::string> failed, passed;
};

// An independent reading of the planner's contract, to check it against.
std::map<std::string, Tally> tally_of(const std::vector<PairTest>& tests, const std::set<std::string>& dead) {
  std::map<std::pair<std::string, std::string>, bool> pair_failed;
  for (const auto& t : tests) {
    if (dead.contains(host_part(t.a)) || dead.contains(host_part(t.b))) continue;
    auto key = std::minmax(t.a, t.b);
    auto& f = pair_failed[{key.first, key.second}];
    f = f || !t.passed;
  }
  std::map<std::string, Tally> out;
  for (const auto& [pair, failed] : pair_failed) {
    (failed ? out[pair.first].failed : out[pair.first].passed).insert(pair.second);
    (failed ? out[pair.second].failed : out[pair.second].passed).insert(pair.first);
  }
  return out;
}

int same_pair_retests = 0;   // over all iterations: the property test must meet some

void check_plan(const RandomBed& bed, const std::vector<PairTest>& done, PartKind via, const std::set<std::string>& dead) {
  std::vector<PairTest> fabric_tests;
  for (const auto& t : done) {
    if ((t.via == PartKind::eps_pair) == (via == PartKind::eps_pair)) fabric_tests.push_back(t);
  }
  const auto tally = tally_of(fabric_tests, dead);
  auto paired_before = [&](const std::string& a, const std::string& b) {
    auto it = tally.find(a);
    return it != tally.end() && (it->second.failed.contains(b) || it->second.passed.contains(b));
  };
  auto is_suspect = [&](const std::string& p) {
    auto it = tally.find(p);
    if (dead.contains(host_part(p))) return false;
    if (it == tally.end()) {   // tested, but only with the dead
      return std::ranges::any_of(fabric_tests, [&](const PairTest& t) { return t.a == p || t.b == p; });
    }
    return !it->second.failed.empty() && it->second.passed.empty();
  };
  auto is_partner = [&](const std::string& p) {
    auto it = tally.find(p);
    return !dead.contains(host_part(p)) && it != tally.end() && !it->second.passed.empty() && !is_suspect(p);
  };

  const auto rounds = plan_retest(done, bed.inventory, via, 2, dead);
  CHECK(rounds.size() <= 2);
  std::set<std::pair<std::string, std::string>> planned;
  for (std::size_t r = 0; r < rounds.size(); ++r) {
    const auto& round = rounds[r];
    CHECK_FALSE(round.empty());
    std::set<std::string> used;
    for (const auto& p : round) {
      INFO(p.a << " with " << p.b << " in round " << r);
      CHECK(used.insert(p.a).second);   // no port twice in a round
      CHECK(used.insert(p.b).second);
      CHECK(bed.fabric.at(p.a) == bed.fabric.at(p.b));   // same switch, cabled the same way
      CHECK(bed.fabric.at(p.a).starts_with(via == PartKind::eps_pair ? "eps" : "ocs"));
      CHECK(host_part(p.a) != host_part(p.b));
      if (p.again) {
        // The same pair once more: its only test failed, and both ends passed with others.
        const auto times = std::ranges::count_if(fabric_tests, [&](const PairTest& t) {
          return (t.a == p.a && t.b == p.b) || (t.a == p.b && t.b == p.a);
        });
        CHECK(times == 1);
        CHECK(tally.at(p.a).failed.contains(p.b));
        CHECK_FALSE(tally.at(p.a).passed.empty());
        CHECK_FALSE(tally.at(p.b).passed.empty());
        ++same_pair_retests;
      } else {
        CHECK(is_suspect(p.a));
        CHECK(is_partner(p.b));   // passed, and not itself in doubt
        CHECK_FALSE(paired_before(p.a, p.b));
      }
      CHECK(planned.insert({p.a, p.b}).second);   // never the same pair twice
    }
    if (r == 0) {
      // Maximal: a suspect left out of the first round has every possible partner already busy.
      for (const auto& s : bed.ports) {
        if (!is_suspect(s) || bed.fabric.at(s).starts_with("eps") != (via == PartKind::eps_pair) || used.contains(s)) continue;
        // A suspect that failed with two partners who passed elsewhere needs no retest.
        auto it = tally.find(s);
        int credible = 0;
        if (it != tally.end()) {
          for (const auto& q : it->second.failed) credible += tally.contains(q) && !tally.at(q).passed.empty() ? 1 : 0;
        }
        if (credible >= 2) continue;
        for (const auto& c : bed.ports) {
          if (!is_partner(c) || bed.fabric.at(c) != bed.fabric.at(s) || host_part(c) == host_part(s) || paired_before(s, c)) continue;
          INFO("suspect " << s << " left out while " << c << " was free");
          CHECK(used.contains(c));
        }
      }
    }
  }
}

void check_blame(const BlameInput& in, const std::vector<Blame>& blames) {
  const auto tally = tally_of(in.tests, in.unreachable_hosts);
  std::set<std::string> seen;
  for (const auto& b : blames) {
    INFO(to_string(b.kind) << " " << b.part << ": " << b.reason);
    CHECK(seen.insert(std::string(to_string(b.kind)) + " " + b.part).second);
    CHECK_FALSE(b.reason.empty());
    CHECK(b.reason.find('\n') == std::string::npos);
    const bool failed_test = std::ranges::any_of(b.tests, [](const PairTest& t) { return !t.passed; });
    const bool finding = std::ranges::any_of(b.findings, [](const Finding& f) {
      return f.severity == Severity::critical || f.severity == Severity::unknown;
    });
    if (b.kind == PartKind::host && in.unreachable_hosts.contains(b.part)) continue;
    CHECK((failed_test || finding));   // nothing blamed without a failed test or a finding
    for (const auto& h : b.hosts) CHECK(in.host_ports.contains(h));
    if (b.severity != Severity::critical) CHECK(b.hosts.empty());
    if (b.kind == PartKind::port && b.severity == Severity::critical && !finding) {
      std::set<std::string> partners;
      for (const auto& t : b.tests) {
        if (!t.passed) partners.insert(t.a == b.part ? t.b : t.a);
      }
      CHECK(partners.size() >= 2);   // the partner rule
    }
    if (b.kind == PartKind::circuit || b.kind == PartKind::eps_pair) {
      CHECK(b.hosts.empty());
      // A path is blamed critical only after failing twice (its retest too).
      if (b.severity == Severity::critical) CHECK(std::ranges::count_if(b.tests, [](const PairTest& t) { return !t.passed; }) >= 2);
    }
  }
  // Nothing that failed passes silently: a port that failed and never passed is in a blame.
  auto mentioned = [&](const std::string& port) {
    return std::ranges::any_of(blames, [&](const Blame& b) {
      return b.part == port || (b.kind == PartKind::host && b.part == host_part(port));
    });
  };
  for (const auto& [port, t] : tally) {
    if (!t.failed.empty() && t.passed.empty()) {
      INFO(port << " failed and never passed");
      CHECK(mentioned(port));
    }
  }
  // A port whose every test passed is never blamed on tests (only on its own findings).
  for (const auto& b : blames) {
    if (b.kind != PartKind::port) continue;
    auto it = tally.find(b.part);
    if (it != tally.end() && it->second.failed.empty()) {
      INFO(b.part << " passed every test but is blamed: " << b.reason);
      CHECK(std::ranges::any_of(b.findings, [&](const Finding& f) { return f.part == b.part; }));
    }
  }
}

}  // namespace

TEST_CASE("retest and blame properties on random testbeds", "[coord][health][retest][blame][property]") {
  std::mt19937 rng(20261206);
  int rounds_planned = 0;
  int blamed = 0;
  for (int iteration = 0; iteration < 300; ++iteration) {
    INFO("iteration " << iteration);
    const RandomBed bed = random_bed(rng);
    std::vector<PairTest> done = random_tests(bed, rng);
    std::set<std::string> dead;
    if (iteration % 5 == 0) dead.insert("h2");
    check_plan(bed, done, PartKind::circuit, dead);
    check_plan(bed, done, PartKind::eps_pair, dead);
    rounds_planned += static_cast<int>(plan_retest(done, bed.inventory, PartKind::circuit, 2, dead).size());

    BlameInput in;
    in.tests = done;
    in.unreachable_hosts = dead;
    in.host_ports = host_ports_of(bed.inventory);
    in.ocs_port_owner = ocs_port_owners(bed.inventory);
    std::bernoulli_distribution has_finding(0.2);
    for (const auto& p : bed.ports) {
      if (!has_finding(rng)) continue;
      const Severity s = has_finding(rng) ? Severity::critical : Severity::warning;
      in.findings.push_back(Finding{.severity = s, .kind = PartKind::port, .part = p, .figure = "carrier_changes", .rule = "flaps",
                                    .message = "4 > 2", .value = 4, .reference = 2});
    }
    const auto blames = blame(in);
    blamed += static_cast<int>(blames.size());
    check_blame(in, blames);
    // Deterministic: the same input in another order gives the same blames.
    std::ranges::reverse(in.tests);
    std::ranges::reverse(in.findings);
    const auto again = blame(in);
    REQUIRE(again.size() == blames.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
      CHECK(again[i].part == blames[i].part);
      CHECK(again[i].reason == blames[i].reason);
    }
  }
  // The random inputs exercised both parts (not vacuously true).
  CHECK(rounds_planned > 20);
  CHECK(blamed > 50);
  CHECK(same_pair_retests > 0);
}
