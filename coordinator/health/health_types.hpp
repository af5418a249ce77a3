#pragma once
// The vocabulary of the nightly health check (docs/health.md): what was measured, what each test
// between two ends found, and what is blamed. Plain typed data passed between the health parts
// (checks, rules, blame, scheduler, reports); JSON only at the report edge.
//
// Names used for parts throughout:
//   host        "h1"
//   port        "h1:ocs0"            a NIC port (PortRef::str())
//   ocs_port    "ocs1/17"            a switch's own port, as the switch names it
//   circuit     "h1:ocs0>h2:ocs1"    an OCS path from one port's TX to another port's RX
//   eps_pair    "h1:eps0~h2:eps0"    two electrical-switch ports tested against each other
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mixnet::coord::health {

// Monitoring-plugin order: a run's exit code is the worst severity (0 ok, 1 warning, 2 critical,
// 3 unknown). Unknown means "could not judge" and counts as a failure, never as a pass.
enum class Severity { ok = 0, warning = 1, critical = 2, unknown = 3 };
[[nodiscard]] constexpr int exit_code(Severity s) { return static_cast<int>(s); }
// The worse of two severities (unknown is worse than critical for the exit code, as in Nagios).
[[nodiscard]] constexpr Severity worse(Severity a, Severity b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }
[[nodiscard]] const char* to_string(Severity s);

enum class PartKind { host, port, ocs_port, circuit, eps_pair };
[[nodiscard]] const char* to_string(PartKind k);

// One figure of one part, as a check measured it. A missing value is a result that could not be
// produced (test failed to run, agent gone): the rules treat it as a failure, never skip it.
struct Observation {
  PartKind kind = PartKind::port;
  std::string part;                 // see the names above
  std::string figure;               // "bandwidth_gbps", "input_power_dbm", "carrier_changes", "symbol_error", ...
  std::optional<double> value;
  std::string unit;                 // "Gb/s", "dBm", "count", "ms"
  std::string source;               // the check and test that produced it: "traffic round 2", "ocs.power"
  std::string why_missing;          // when !value: what went wrong
  std::int64_t at_ns = 0;           // CLOCK_REALTIME
  bool retest = false;              // measured again because an earlier test failed: no sample of the run's peers
};

// A rule's judgement of one observation.
struct Finding {
  Severity severity = Severity::ok;
  PartKind kind = PartKind::port;
  std::string part;
  std::string figure;
  std::string rule;                 // the rule's name from the rules file
  std::string message;              // "3.1 Gb/s < 9.0 (baseline 9.4, -67%)"
  std::optional<double> value;
  std::optional<double> reference;  // threshold, baseline median or peer median it was compared with
};

// One bandwidth test between two ends, and what it found. Retests are further PairTests with
// other partners in later rounds.
struct PairTest {
  std::string a;                    // port "h1:ocs0" (the sender, for a circuit)
  std::string b;                    // port "h2:ocs1"
  PartKind via = PartKind::circuit; // circuit (through the OCS) or eps_pair
  std::string path;                 // the circuit or eps_pair name; for a circuit also the switch ports: "ocs1 17>33"
  int round = 0;                    // 0 the first pass, 1.. retests
  bool passed = false;
  std::optional<double> gbps;       // missing: the test did not produce a figure
  std::optional<double> threshold_gbps;
  std::string detail;               // "3.1 Gb/s < 9.0", or the error
};

// What is blamed, and why. Every blame carries the tests and findings behind it.
struct Blame {
  Severity severity = Severity::critical;
  PartKind kind = PartKind::port;
  std::string part;
  std::vector<std::string> hosts;   // the hosts this blame takes out of service (empty: none, e.g. a circuit)
  std::string reason;               // one line: "h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)"
  std::vector<PairTest> tests;      // evidence: every test that involved the part
  std::vector<Finding> findings;    // evidence: rule findings on the part
};

// What a whole nightly run concluded; reports (JSON, Prometheus, HTML) and the scheduler read this.
struct HealthReport {
  std::string run_id;
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;
  std::vector<std::string> hosts;           // every host of the inventory, in order
  std::vector<std::string> ports;           // every NIC port "host:port", in order
  std::vector<Observation> observations;
  std::vector<Finding> findings;            // every non-ok finding (ok ones are not kept)
  std::vector<PairTest> tests;
  std::vector<Blame> blames;
  Severity overall = Severity::ok;
};

}  // namespace mixnet::coord::health
