#include "coordinator/health/nightly_report.hpp"

#include <algorithm>

#include "coordinator/model/inventory.hpp"

namespace mixnet::coord::health {

namespace {

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json observation_json(const Observation& o) {
  nlohmann::json j = {{"kind", to_string(o.kind)}, {"part", o.part}, {"figure", o.figure}, {"value", optional_json(o.value)},
                      {"unit", o.unit}, {"source", o.source}, {"at_ns", o.at_ns}};
  if (!o.why_missing.empty()) j["why_missing"] = o.why_missing;
  if (o.retest) j["retest"] = true;   // not part of the peers' reference (peer_medians.hpp)
  return j;
}

nlohmann::json finding_json(const Finding& f) {
  return {{"severity", to_string(f.severity)}, {"kind", to_string(f.kind)}, {"part", f.part}, {"figure", f.figure}, {"rule", f.rule},
          {"message", f.message}, {"value", optional_json(f.value)}, {"reference", optional_json(f.reference)}};
}

nlohmann::json test_json(const PairTest& t) {
  return {{"a", t.a}, {"b", t.b}, {"via", to_string(t.via)}, {"path", t.path}, {"round", t.round}, {"passed", t.passed},
          {"gbps", optional_json(t.gbps)}, {"threshold_gbps", optional_json(t.threshold_gbps)}, {"detail", t.detail}};
}

nlohmann::json blame_json(const Blame& b) {
  nlohmann::json tests = nlohmann::json::array(), findings = nlohmann::json::array();
  for (const auto& t : b.tests) tests.push_back(test_json(t));
  for (const auto& f : b.findings) findings.push_back(finding_json(f));
  return {{"severity", to_string(b.severity)}, {"kind", to_string(b.kind)}, {"part", b.part}, {"hosts", b.hosts},
          {"reason", b.reason}, {"tests", tests}, {"findings", findings}};
}

}  // namespace

Severity overall_severity(const std::vector<Finding>& findings, const std::vector<Blame>& blames) {
  Severity overall = Severity::ok;
  for (const auto& b : blames) overall = worse(overall, b.severity);
  for (const auto& f : findings) {
    if (f.severity == Severity::warning) overall = worse(overall, Severity::warning);
  }
  return overall;
}

HealthReport make_health_report(ReportParts parts, const Inventory& inventory) {
  HealthReport r;
  r.run_id = std::move(parts.run_id);
  r.started_ns = parts.started_ns;
  r.finished_ns = parts.finished_ns;
  for (const auto& h : inventory.hosts) {
    r.hosts.push_back(h.name);
    for (const auto& p : h.ports) r.ports.push_back(h.name + ":" + p.name);
  }
  r.observations = std::move(parts.observations);
  for (auto& f : parts.findings) {
    if (f.severity != Severity::ok) r.findings.push_back(std::move(f));
  }
  r.tests = std::move(parts.tests);
  r.blames = std::move(parts.blames);
  r.overall = overall_severity(r.findings, r.blames);
  return r;
}

nlohmann::json health_report_json(const HealthReport& report) {
  nlohmann::json observations = nlohmann::json::array(), findings = nlohmann::json::array(), tests = nlohmann::json::array(),
                 blames = nlohmann::json::array();
  for (const auto& o : report.observations) observations.push_back(observation_json(o));
  for (const auto& f : report.findings) findings.push_back(finding_json(f));
  for (const auto& t : report.tests) tests.push_back(test_json(t));
  for (const auto& b : report.blames) blames.push_back(blame_json(b));
  return {{"run_id", report.run_id},
          {"started_ns", report.started_ns},
          {"finished_ns", report.finished_ns},
          {"overall", to_string(report.overall)},
          {"exit_code", exit_code(report.overall)},
          {"hosts", report.hosts},
          {"ports", report.ports},
          {"blames", blames},
          {"findings", findings},
          {"tests", tests},
          {"observations", observations}};
}

}  // namespace mixnet::coord::health
