// The nightly run's report: its overall severity, every host and port, health.json
// (nightly_report.hpp).
#include <catch2/catch.hpp>

#include "coordinator/health/nightly_report.hpp"
#include "coordinator/model/inventory.hpp"

using namespace mixnet::coord;
using namespace mixnet::coord::health;

namespace {

Inventory small_inventory() {
  auto inv = parse_inventory(R"(
version: 1
name: t
switches:
  - {name: ocs1, kind: ocs, uri: "polatis-tl1://admin@127.0.0.1:3082"}
  - {name: eps1, kind: eps}
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:7001"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 1, rx: 9}}
      - {name: eps0, eps: {switch: eps1}}
      - {name: mgmt}
  - name: h2
    agent: {url: "http://127.0.0.1:7002"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 2, rx: 10}}
)",
                             "test.yaml", "/tmp");
  if (!inv) FAIL(inv.error().message);
  return std::move(*inv);
}

Blame blamed(Severity s, const std::string& part) { return Blame{.severity = s, .kind = PartKind::port, .part = part, .reason = part + " failed"}; }

}  // namespace

TEST_CASE("overall_severity: the worst blame, a warning finding warns, an unblamed critical finding does not", "[health][nightly]") {
  CHECK(overall_severity({}, {}) == Severity::ok);
  const Finding critical{.severity = Severity::critical, .part = "h1:ocs0>h2:ocs0", .rule = "missing"};
  CHECK(overall_severity({critical}, {}) == Severity::ok);
  const Finding warning{.severity = Severity::warning, .part = "h1", .rule = "clock-offset"};
  CHECK(overall_severity({critical, warning}, {}) == Severity::warning);
  CHECK(overall_severity({warning}, {blamed(Severity::critical, "h1:ocs0")}) == Severity::critical);
  CHECK(overall_severity({}, {blamed(Severity::critical, "h1:ocs0"), blamed(Severity::unknown, "h2:ocs0")}) == Severity::unknown);
}

TEST_CASE("make_health_report: every host and port, non-ok findings only, and health.json's exit code", "[health][nightly]") {
  const auto inv = small_inventory();
  ReportParts parts{.run_id = "r1", .started_ns = 1, .finished_ns = 2};
  parts.findings = {Finding{.severity = Severity::ok, .part = "h1:ocs0"}, Finding{.severity = Severity::warning, .part = "h2", .rule = "clock"}};
  parts.tests = {PairTest{.a = "h1:ocs0", .b = "h2:ocs0", .path = "h1:ocs0>h2:ocs0", .passed = false, .gbps = 0.1, .detail = "slow"}};
  parts.blames = {blamed(Severity::critical, "h1:ocs0")};
  parts.blames[0].hosts = {"h1"};
  parts.blames[0].tests = parts.tests;
  const auto report = make_health_report(parts, inv);
  CHECK(report.hosts == std::vector<std::string>{"h1", "h2"});
  CHECK(report.ports == std::vector<std::string>{"h1:ocs0", "h1:eps0", "h1:mgmt", "h2:ocs0"});
  REQUIRE(report.findings.size() == 1);
  CHECK(report.findings[0].rule == "clock");
  CHECK(report.overall == Severity::critical);

  const auto j = health_report_json(report);
  CHECK(j.at("overall") == "critical");
  CHECK(j.at("exit_code") == 2);
  CHECK(j.at("blames").at(0).at("part") == "h1:ocs0");
  CHECK(j.at("blames").at(0).at("hosts") == nlohmann::json::array({"h1"}));
  CHECK(j.at("blames").at(0).at("tests").at(0).at("gbps") == 0.1);
  CHECK(j.at("tests").at(0).at("threshold_gbps").is_null());
}
