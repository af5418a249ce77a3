// Health rules: every form of the vocabulary on hand-made observations, missing results as
// failures, the fallbacks without a baseline, the errors of a bad rules file, and the built-in
// defaults equal to playbooks/health/rules.yaml.
#include <catch2/catch.hpp>

#include <algorithm>

#include "coordinator/health/baseline.hpp"
#include "coordinator/health/rules.hpp"
#include "coordinator/model/inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord::health;

namespace {

Observation obs(PartKind kind, std::string part, std::string figure, std::optional<double> value, std::string unit = "") {
  Observation o;
  o.kind = kind;
  o.part = std::move(part);
  o.figure = std::move(figure);
  o.value = value;
  o.unit = std::move(unit);
  return o;
}

Observation bw(std::string port, std::optional<double> gbps) { return obs(PartKind::port, std::move(port), "bandwidth_gbps", gbps, "Gb/s"); }

RuleSet rules(const std::string& yaml) {
  auto r = parse_rules(yaml, "test.yaml");
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r.has_value());
  return std::move(*r);
}

const Finding& only(const std::vector<Finding>& findings, const std::string& part) {
  auto it = std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.part == part; });
  REQUIRE(it != findings.end());
  REQUIRE(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.part == part; }) == 1);
  return *it;
}

std::string error_of(const std::string& yaml) {
  auto r = parse_rules(yaml, "bad.yaml");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_argument);
  return r.error().message;
}

Baseline baseline_with(const std::string& part, const std::string& figure, double median) {
  Baseline b;
  b.entries[{part, figure}] = BaselineEntry{PartKind::port, part, figure, "Gb/s", median, 0.01, median, median, 3};
  return b;
}

}  // namespace

TEST_CASE("threshold rules judge min and max at warning and critical levels") {
  const auto set = rules(R"(
rules:
  - name: power
    match: {kind: ocs_port, figure: "*_power_dbm"}
    threshold: {warning: {min: -10}, critical: {min: -14, max: 3}}
)");
  const auto findings = evaluate(set, {obs(PartKind::ocs_port, "ocs1/1", "input_power_dbm", -3, "dBm"),
                                       obs(PartKind::ocs_port, "ocs1/2", "input_power_dbm", -12, "dBm"),
                                       obs(PartKind::ocs_port, "ocs1/3", "output_power_dbm", -20, "dBm"),
                                       obs(PartKind::ocs_port, "ocs1/4", "input_power_dbm", 5, "dBm"),
                                       obs(PartKind::port, "h1:ocs0", "input_power_dbm", -30, "dBm")},   // wrong kind: not matched
                                 nullptr);
  REQUIRE(findings.size() == 4);
  CHECK(only(findings, "ocs1/1").severity == Severity::ok);
  CHECK(only(findings, "ocs1/2").severity == Severity::warning);
  CHECK(only(findings, "ocs1/2").reference == -10);
  CHECK(only(findings, "ocs1/3").severity == Severity::critical);
  CHECK(only(findings, "ocs1/3").message == "-20 dBm < -14 (critical)");
  CHECK(only(findings, "ocs1/4").severity == Severity::critical);
  CHECK(only(findings, "ocs1/4").rule == "power");
}

TEST_CASE("a missing result is a failure under every rule that matches it") {
  const auto set = rules(R"(
rules:
  - name: floor
    match: {figure: bandwidth_gbps}
    threshold: {critical: {min: 1}}
  - name: errors
    match: {figure: "*"}
    missing: warning
    new_events: {more_than: {warning: 0}}
)");
  auto o = bw("h1:ocs0", std::nullopt);
  o.why_missing = "agent h1 did not answer";
  o.source = "traffic round 0";
  const auto findings = evaluate(set, {o}, nullptr);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].rule == "floor");
  CHECK(findings[0].severity == Severity::critical);
  CHECK(findings[0].message == "no result for bandwidth_gbps: agent h1 did not answer (traffic round 0)");
  CHECK(findings[1].rule == "errors");
  CHECK(findings[1].severity == Severity::warning);
}

TEST_CASE("baseline rules judge the change in percent in the bad direction") {
  const auto set = rules(R"(
rules:
  - name: bw
    match: {kind: port, figure: bandwidth_gbps}
    baseline: {percent: {warning: 3, critical: 5}}
)");
  Baseline b = baseline_with("h1:ocs0", "bandwidth_gbps", 10.0);
  b.entries[{"h2:ocs0", "bandwidth_gbps"}] = BaselineEntry{PartKind::port, "h2:ocs0", "bandwidth_gbps", "Gb/s", 10.0, 0, 10, 10, 3};
  b.entries[{"h3:ocs0", "bandwidth_gbps"}] = BaselineEntry{PartKind::port, "h3:ocs0", "bandwidth_gbps", "Gb/s", 10.0, 0, 10, 10, 3};
  b.entries[{"h4:ocs0", "bandwidth_gbps"}] = BaselineEntry{PartKind::port, "h4:ocs0", "bandwidth_gbps", "Gb/s", 10.0, 0, 10, 10, 3};
  const auto findings = evaluate(set, {bw("h1:ocs0", 9.9), bw("h2:ocs0", 9.6), bw("h3:ocs0", 9.0), bw("h4:ocs0", 12.0)}, &b);
  CHECK(only(findings, "h1:ocs0").severity == Severity::ok);
  CHECK(only(findings, "h2:ocs0").severity == Severity::warning);
  CHECK(only(findings, "h3:ocs0").severity == Severity::critical);
  CHECK(only(findings, "h3:ocs0").reference == 10.0);
  CHECK(only(findings, "h3:ocs0").message == "9 Gb/s is 10% below baseline 10 Gb/s (critical beyond 5%)");
  CHECK(only(findings, "h4:ocs0").severity == Severity::ok);   // above is not bad for direction below

  const auto either = rules(R"(
rules:
  - name: clock
    match: {kind: host, figure: clock_offset_ms}
    baseline: {direction: either, percent: {critical: 50}}
)");
  Baseline hb;
  hb.entries[{"h1", "clock_offset_ms"}] = BaselineEntry{PartKind::host, "h1", "clock_offset_ms", "ms", 2.0, 0, 2, 2, 3};
  const auto f = evaluate(either, {obs(PartKind::host, "h1", "clock_offset_ms", 4.0, "ms")}, &hb);
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::critical);
}

TEST_CASE("without a baseline, a baseline rule falls back to line rate, then to peers, and says which") {
  const auto set = rules(R"(
rules:
  - name: bw
    match: {kind: [port, circuit], figure: bandwidth_gbps}
    baseline:
      percent: {critical: 5}
      without_baseline:
        line_rate_percent: {warning: 25, critical: 50}
        peer_fraction: {critical: 0.5}
)");
  const LineRates rates{{"h1:ocs0", 10.0}, {"h2:ocs0", 10.0}};
  const std::vector<Observation> night{bw("h1:ocs0", 4.0), bw("h2:ocs0", 8.0), bw("h3:ocs0", 9.0), bw("h4:ocs0", 9.2), bw("h5:ocs0", 3.0),
                                       obs(PartKind::circuit, "h1:ocs0>h2:ocs0", "bandwidth_gbps", 7.0, "Gb/s")};
  const auto findings = evaluate(set, night, nullptr, rates);
  // h1 and h2 have a line rate: judged against it.
  CHECK(only(findings, "h1:ocs0").severity == Severity::critical);
  CHECK(only(findings, "h1:ocs0").reference == 10.0);
  CHECK(only(findings, "h1:ocs0").message.starts_with("no baseline; against line rate: "));
  CHECK(only(findings, "h2:ocs0").severity == Severity::ok);
  // A circuit runs at its slower end's line rate: 7 of 10 is 30% below, a warning.
  CHECK(only(findings, "h1:ocs0>h2:ocs0").severity == Severity::warning);
  // h3..h5 have none: judged against the median of the other ports (4, 8, 9, 9.2, 3 without itself).
  CHECK(only(findings, "h3:ocs0").severity == Severity::ok);
  CHECK(only(findings, "h3:ocs0").message.starts_with("no baseline; against peers: "));
  CHECK(only(findings, "h5:ocs0").severity == Severity::critical);
  CHECK(only(findings, "h5:ocs0").reference == Approx(8.5));

  // A baseline that lacks the part: the same fallback, said so.
  const Baseline other = baseline_with("h9:ocs0", "bandwidth_gbps", 10);
  CHECK(only(evaluate(set, night, &other, rates), "h5:ocs0").message.starts_with("not in the baseline; against peers: "));
}

TEST_CASE("peer-relative rules catch a crippled port on the first night and say when there are too few peers") {
  const auto set = rules(R"(
rules:
  - name: peers
    match: {kind: port, figure: bandwidth_gbps}
    peers: {peer_fraction: {warning: 0.8, critical: 0.5}, min_peers: 3}
)");
  const auto findings = evaluate(set, {bw("h1:ocs0", 9.4), bw("h2:ocs0", 9.3), bw("h3:ocs0", 9.5), bw("h4:ocs0", 3.1), bw("h5:ocs0", 7.0),
                                       // retests of h4 with other partners: one value per part in the median
                                       bw("h4:ocs0", 3.0), bw("h4:ocs0", 3.2)},
                                 nullptr);
  CHECK(only(findings, "h1:ocs0").severity == Severity::ok);
  CHECK(only(findings, "h5:ocs0").severity == Severity::warning);
  CHECK(std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return f.part == "h4:ocs0" && f.severity == Severity::critical; }) == 3);
  const auto two = evaluate(set, {bw("h1:ocs0", 9.4), bw("h2:ocs0", 1.0)}, nullptr);
  REQUIRE(two.size() == 2);
  CHECK(two[1].severity == Severity::ok);
  CHECK(two[1].message == "not judged: 1 peer of its kind measured bandwidth_gbps, 3 needed");
}

TEST_CASE("new_events rules warn on any new counter event and flag flapping") {
  const auto set = default_rules();
  const auto findings = evaluate(set, {obs(PartKind::port, "h1:ocs0", "symbol_error", 0, "count"), obs(PartKind::port, "h2:ocs0", "symbol_error", 3, "count"),
                                       obs(PartKind::port, "h3:ocs0", "carrier_changes_unexplained", 2, "count"),
                                       obs(PartKind::port, "h4:ocs0", "carrier_changes_unexplained", 6, "count"),
                                       obs(PartKind::port, "h6:ocs0", "carrier_changes_unexplained", 0, "count"),
                                       // the raw count, the run's own re-patching in it, is not judged
                                       obs(PartKind::port, "h7:ocs0", "carrier_changes", 12, "count"),
                                       obs(PartKind::port, "h5:ocs0", "port_rcv_errors", 1, "count")},
                                 nullptr);
  CHECK(only(findings, "h1:ocs0").severity == Severity::ok);
  CHECK(only(findings, "h2:ocs0").severity == Severity::warning);
  CHECK(only(findings, "h2:ocs0").message == "3 new symbol_error (more than 0: warning)");
  CHECK(only(findings, "h3:ocs0").severity == Severity::warning);   // one flap warns
  CHECK(only(findings, "h3:ocs0").rule == "flapping");
  CHECK(only(findings, "h6:ocs0").severity == Severity::ok);
  CHECK(std::none_of(findings.begin(), findings.end(), [](const Finding& f) { return f.part == "h7:ocs0"; }));
  CHECK(only(findings, "h4:ocs0").severity == Severity::critical);   // more than one is critical
  CHECK(only(findings, "h4:ocs0").rule == "flapping");
  CHECK(only(findings, "h5:ocs0").rule == "new-link-errors");
}

TEST_CASE("the built-in defaults are playbooks/health/rules.yaml") {
  auto file = read_rules(MIXNET_SOURCE_DIR "/playbooks/health/rules.yaml");
  INFO((file ? std::string() : file.error().message));
  REQUIRE(file.has_value());
  const auto builtin = default_rules();
  CHECK(builtin.source == "built-in defaults");
  CHECK(same_rules(*file, builtin));
  CHECK(rule_names(builtin) == std::vector<std::string>{"bandwidth-vs-baseline", "bandwidth-vs-peers", "new-symbol-errors", "new-link-errors",
                                                        "new-netdev-errors", "flapping"});
  // The issue's examples: 5% below the baseline fails, and a first night catches a port at a third of its peers.
  const Baseline b = baseline_with("h1:ocs0", "bandwidth_gbps", 10.0);
  const auto with_baseline = evaluate(builtin, {bw("h1:ocs0", 9.4)}, &b);
  CHECK(std::any_of(with_baseline.begin(), with_baseline.end(), [](const Finding& f) { return f.rule == "bandwidth-vs-baseline" && f.severity == Severity::critical; }));
  const auto first_night = evaluate(builtin, {bw("h1:ocs0", 9.4), bw("h2:ocs0", 9.3), bw("h3:ocs0", 3.0)}, nullptr);
  for (const auto* rule : {"bandwidth-vs-baseline", "bandwidth-vs-peers"})
    CHECK(std::any_of(first_night.begin(), first_night.end(),
                      [&](const Finding& f) { return f.rule == rule && f.part == "h3:ocs0" && f.severity == Severity::critical; }));
  CHECK(std::none_of(first_night.begin(), first_night.end(), [](const Finding& f) { return f.part != "h3:ocs0" && f.severity != Severity::ok; }));
  // A changed rule is told apart.
  auto changed = parse_rules("rules:\n  - {name: x, match: {figure: a}, threshold: {critical: {min: 1}}}\n", "x.yaml");
  REQUIRE(changed.has_value());
  CHECK_FALSE(same_rules(*changed, builtin));
}

TEST_CASE("rules file errors name the file, the rule and the field") {
  CHECK(error_of("rules:\n  - name: bw-drop\n    match: {figure: bandwidth_gbps}\n    baseline: {precent: {critical: 5}}\n") ==
        "bad.yaml:4: rule 'bw-drop': baseline.precent: unknown key (allowed here: direction, percent, without_baseline)");
  CHECK(error_of("rules:\n  - name: a\n    match: {figure: x}\n    threshold: {critical: {min: 1}}\n    peers: {peer_fraction: {critical: 0.5}}\n")
            .find("rule 'a': needs exactly one of threshold, baseline, new_events, peers") != std::string::npos);
  CHECK(error_of("rules:\n  - name: a\n    match: {kind: nic, figure: x}\n    threshold: {critical: {min: 1}}\n")
            .find("rule 'a': match.kind: unknown part kind 'nic'") != std::string::npos);
  CHECK(error_of("rules:\n  - name: a\n    threshold: {critical: {min: 1}}\n").find("rule 'a': match: missing") != std::string::npos);
  CHECK(error_of("rules:\n  - match: {figure: x}\n    threshold: {critical: {min: 1}}\n").find("bad.yaml:2: rules[0].name: missing") == 0);
  CHECK(error_of("rules:\n  - name: a\n    match: {figure: x}\n    threshold: {critical: {min: 3, max: 1}}\n")
            .find("rule 'a': threshold.critical: min is above max") != std::string::npos);
  CHECK(error_of("rules:\n  - name: a\n    match: {figure: x}\n    baseline: {percent: {warning: 9, critical: 5}}\n")
            .find("rule 'a': baseline.percent: warning must be <= critical") != std::string::npos);
  CHECK(error_of("rules:\n  - name: a\n    match: {figure: x}\n    peers: {peer_fraction: {critical: 2}}\n")
            .find("rule 'a': peers.peer_fraction: fractions are between 0 and 1") != std::string::npos);
  CHECK(error_of("rules:\n  - name: a\n    match: {figure: x}\n    missing: ok\n    new_events: {more_than: {warning: 0}}\n")
            .find("rule 'a': missing: expected warning, critical or unknown") != std::string::npos);
  CHECK(error_of("rules:\n  - name: a\n    match: {figure: x}\n    baseline: {direction: above, percent: {critical: 5}, without_baseline: {peer_fraction: {critical: 0.5}}}\n")
            .find("rule 'a': baseline.without_baseline: only for direction below") != std::string::npos);
  CHECK(error_of("rules:\n  - {name: a, match: {figure: x}, new_events: {more_than: {warning: 0}}}\n  - {name: a, match: {figure: y}, new_events: {more_than: {warning: 0}}}\n")
            .find("rule 'a': name: a second rule of this name") != std::string::npos);
  CHECK(error_of("rules:\n  - name: a\n    match: {figure: x}\n    treshold: {critical: {min: 1}}\n") ==
        "bad.yaml:4: rule 'a': treshold: unknown key (allowed here: name, description, match, missing, threshold, baseline, new_events, peers)");
  CHECK(error_of("version: 2\nrules: []\n").find("bad.yaml:1: version: only version 1 is known") == 0);
  CHECK(error_of("rules: [\n").find("bad.yaml:") == 0);
  auto missing = read_rules("/nonexistent/rules.yaml");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == Errc::not_found);
}

TEST_CASE("line rates come from the inventory's expected speeds") {
  auto inv = coord::parse_inventory(R"(
version: 1
name: t
switches:
  - {name: ocs1, kind: ocs, uri: "emu://x"}
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, port: "1"}, expect: {speed_mbps: 100000}}
  - name: h2
    agent: {url: "http://127.0.0.1:2"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, port: "2"}}
)", "inv.yaml", "/tmp");
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv.has_value());
  const auto rates = line_rates_of(*inv);
  CHECK(rates == LineRates{{"h1:ocs0", 100.0}});
}
