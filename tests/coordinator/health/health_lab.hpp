#pragma once
// A hand-made testbed for the blame and retest tests: an inventory like the lab's (hosts with
// OCS ports on one NxM switch "ocs1", inputs 1..N and outputs N+1..2N, and electrical ports on
// "eps1"), and a fault model that says how a bandwidth test between two ports comes out, the
// way each lab fault (docs/lab.md, "mixnet-lab fault") makes it come out.
#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "coordinator/health/health_types.hpp"
#include "coordinator/health/retest_plan.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology_generate.hpp"

namespace mixnet::coord::health::testing {

inline Inventory lab_inventory(int hosts, int ocs_ports, int eps_ports) {
  const int total = hosts * ocs_ports;
  std::string yaml = "version: 1\nhosts:\n";
  int k = 0;
  for (int h = 1; h <= hosts; ++h) {
    yaml += fmt::format("  - name: h{}\n    agent: {{url: \"http://127.0.0.1:{}\"}}\n    ports:\n", h, 1000 + h);
    for (int p = 0; p < ocs_ports; ++p, ++k) {
      yaml += fmt::format("      - {{name: ocs{}, ocs: {{switch: ocs1, tx: {}, rx: {}}}}}\n", p, k + 1, total + k + 1);
    }
    for (int e = 0; e < eps_ports; ++e) yaml += fmt::format("      - {{name: eps{}, eps: {{switch: eps1}}}}\n", e);
  }
  yaml += "switches:\n  - {name: ocs1, kind: ocs, uri: \"polatis-tl1://a@h:1\"}\n  - {name: eps1, kind: eps}\n";
  auto inv = parse_inventory(yaml, "inv.yaml", "");
  INFO(yaml);
  REQUIRE(inv.has_value());
  return *inv;
}

// How a test between two ports comes out: passed, or the figure it reached (nullopt: no figure).
struct Outcome {
  bool passed = true;
  std::optional<double> gbps;
  std::string detail;
};
using FaultModel = std::function<Outcome(const std::string& a, const std::string& b)>;

inline Outcome healthy(const std::string&, const std::string&) { return {true, 9.4, ""}; }

inline PairTest run_test(const std::string& a, const std::string& b, PartKind via, int round, const FaultModel& model) {
  const Outcome o = model(a, b);
  PairTest t;
  t.a = a;
  t.b = b;
  t.via = via;
  t.path = via == PartKind::eps_pair ? a + "~" + b : a + ">" + b;
  t.round = round;
  t.passed = o.passed;
  t.gbps = o.passed ? std::optional<double>(9.4) : o.gbps;
  t.threshold_gbps = 9.0;
  t.detail = o.passed ? std::string() : o.detail;
  return t;
}

// The first pass through the OCS: the two cover topologies the nightly run uses, both round 0.
inline std::vector<PairTest> cover_tests(const Inventory& inv, const FaultModel& model) {
  auto cover = generate_cover("cover", inv);
  REQUIRE(cover.has_value());
  std::vector<PairTest> out;
  for (const auto& topology : *cover) {
    for (const auto& c : topology.circuits) out.push_back(run_test(c.a.str(), c.b.str(), PartKind::circuit, 0, model));
  }
  return out;
}

// The first pass through the electrical switch: every pair of its ports, once.
inline std::vector<PairTest> eps_all_pairs(const Inventory& inv, const FaultModel& model) {
  std::vector<std::string> ports;
  for (const auto& h : inv.hosts) {
    for (const auto& p : h.ports) {
      if (p.eps) ports.push_back(h.name + ":" + p.name);
    }
  }
  std::vector<PairTest> out;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    for (std::size_t j = i + 1; j < ports.size(); ++j) out.push_back(run_test(ports[i], ports[j], PartKind::eps_pair, 0, model));
  }
  return out;
}

// Plans retests from what was done, one round at a time as health.bandwidth does (each round
// planned from everything tested so far), runs them through the model, and returns every test.
inline std::vector<PairTest> with_retests(std::vector<PairTest> done, const Inventory& inv, PartKind via, const FaultModel& model,
                                          const std::set<std::string>& unreachable = {}, int rounds = 2) {
  for (int r = 1; r <= rounds; ++r) {
    const auto plan = plan_retest(done, inv, via, 1, unreachable);
    if (plan.empty()) break;
    for (const auto& pair : plan.front()) done.push_back(run_test(pair.a, pair.b, via, r, model));
  }
  return done;
}

}  // namespace mixnet::coord::health::testing
