#pragma once
// A hand-made nightly health report for the report writers' tests: four hosts, a port blamed
// after failing with two partners (h3:ocs0), a blamed circuit whose ends both passed with others
// (h4:ocs0>h1:ocs0), a warning on an EPS port, a weak OCS port, a figure that could not be
// measured, and a retest that supersedes a first-pass figure.
#include <cstdint>
#include <optional>
#include <string>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::testing {

inline constexpr std::int64_t kSampleStartedNs = 1796522400000000000;   // 2026-12-06T02:00:00Z
inline constexpr std::int64_t kSampleFinishedNs = kSampleStartedNs + 754'500'000'000;

inline health::PairTest sample_test(const char* a, const char* b, int round, bool passed, double gbps) {
  health::PairTest t;
  t.a = a;
  t.b = b;
  t.via = health::PartKind::circuit;
  t.path = std::string(a) + ">" + b;
  t.round = round;
  t.passed = passed;
  t.gbps = gbps;
  t.threshold_gbps = 9.0;
  t.detail = passed ? "" : std::to_string(gbps).substr(0, 3) + " Gb/s < 9.0";
  return t;
}

inline health::Observation sample_observation(health::PartKind kind, const char* part, const char* figure, std::optional<double> value,
                                              const char* unit, std::int64_t at_ns) {
  health::Observation o;
  o.kind = kind;
  o.part = part;
  o.figure = figure;
  o.value = value;
  o.unit = unit;
  o.source = "sample";
  if (!value) o.why_missing = "agent did not answer";
  o.at_ns = at_ns;
  return o;
}

inline health::HealthReport sample_health_report() {
  using health::PartKind;
  using health::Severity;
  health::HealthReport r;
  r.run_id = "20261206T020000Z-3f2a";
  r.started_ns = kSampleStartedNs;
  r.finished_ns = kSampleFinishedNs;
  r.hosts = {"h1", "h2", "h3", "h4"};
  r.ports = {"h1:ocs0", "h1:eps0", "h2:ocs0", "h2:eps0", "h3:ocs0", "h3:eps0", "h4:ocs0"};   // h4 has no EPS port

  const auto t0 = kSampleStartedNs + 60'000'000'000;
  r.tests = {
      sample_test("h1:ocs0", "h3:ocs0", 0, false, 3.1),
      sample_test("h2:ocs0", "h1:ocs0", 0, true, 9.4),
      sample_test("h4:ocs0", "h1:ocs0", 0, false, 0.5),
      sample_test("h2:ocs0", "h3:ocs0", 1, false, 3.0),
      sample_test("h4:ocs0", "h2:ocs0", 1, true, 9.3),
  };
  health::PairTest eps;
  eps.a = "h1:eps0";
  eps.b = "h2:eps0";
  eps.via = PartKind::eps_pair;
  eps.path = "h1:eps0~h2:eps0";
  eps.passed = true;
  eps.gbps = 9.5;
  r.tests.push_back(eps);

  r.observations = {
      sample_observation(PartKind::port, "h3:ocs0", "bandwidth_gbps", 3.1, "Gb/s", t0),
      sample_observation(PartKind::port, "h3:ocs0", "bandwidth_gbps", 3.0, "Gb/s", t0 + 300'000'000'000),   // the retest
      sample_observation(PartKind::port, "h1:ocs0", "bandwidth_gbps", 9.4, "Gb/s", t0),
      sample_observation(PartKind::port, "h2:eps0", "symbol_error", 4, "count", t0),
      sample_observation(PartKind::port, "h4:ocs0", "carrier_changes", std::nullopt, "count", t0),
      sample_observation(PartKind::ocs_port, "ocs1/3", "input_power_dbm", -25.0, "dBm", t0),
      sample_observation(PartKind::ocs_port, "ocs1/1", "input_power_dbm", -3.25, "dBm", t0),
      sample_observation(PartKind::host, "h1", "clock_offset_ms", 0.25, "ms", t0),
      sample_observation(PartKind::port, "h1:ocs0", "rdma_gid_count", 4, "count", t0),
      sample_observation(PartKind::circuit, "h4:ocs0>h1:ocs0", "bandwidth_gbps", 0.5, "Gb/s", t0),
      sample_observation(PartKind::eps_pair, "h1:eps0~h2:eps0", "bandwidth_gbps", 9.5, "Gb/s", t0),
  };

  health::Finding bw;
  bw.severity = Severity::critical;
  bw.kind = PartKind::port;
  bw.part = "h3:ocs0";
  bw.figure = "bandwidth_gbps";
  bw.rule = "bandwidth-vs-peers";
  bw.message = "3.0 Gb/s < half the peers' median 9.4";
  bw.value = 3.0;
  bw.reference = 4.7;
  health::Finding sym;
  sym.severity = Severity::warning;
  sym.kind = PartKind::port;
  sym.part = "h2:eps0";
  sym.figure = "symbol_error";
  sym.rule = "new-symbol-errors";
  sym.message = "4 new symbol errors";
  sym.value = 4;
  health::Finding power;
  power.severity = Severity::critical;
  power.kind = PartKind::ocs_port;
  power.part = "ocs1/3";
  power.figure = "input_power_dbm";
  power.rule = "ocs-power";
  power.message = "-25.0 dBm < -12.0";
  power.value = -25.0;
  power.reference = -12.0;
  r.findings = {bw, sym, power};

  health::Blame port;
  port.severity = Severity::critical;
  port.kind = PartKind::port;
  port.part = "h3:ocs0";
  port.hosts = {"h3"};
  port.reason = "h3:ocs0 failed with 2 partners (3.1 Gb/s < 9.0)";
  port.tests = {r.tests[0], r.tests[3]};
  port.findings = {bw};
  health::Blame circuit;
  circuit.severity = Severity::critical;
  circuit.kind = PartKind::circuit;
  circuit.part = "h4:ocs0>h1:ocs0";
  circuit.reason = "h4:ocs0>h1:ocs0 failed 2 times (0.5 Gb/s < 9.0) but both ends passed with others";
  circuit.tests = {r.tests[2], r.tests[1], r.tests[4]};
  r.blames = {port, circuit};
  r.overall = Severity::critical;
  return r;
}

}  // namespace mixnet::coord::testing
