#include "coordinator/modules/health_report.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
#include "common/clock.hpp"
#include "coordinator/engine/module_args.hpp"
#include "coordinator/health/health_ledger.hpp"
#include "coordinator/health/nightly_report.hpp"
#include "coordinator/health/pair_judgement.hpp"
#include "coordinator/modules/health_report_parts.hpp"

namespace mixnet::coord {

namespace {

using health::Severity;

struct ReportArgs {
  std::string rules;
  std::string baseline;
  bool dry_run = false;
};

Result<ReportArgs> parse_args(const nlohmann::json& args) {
  if (auto ok = module_args::only_keys(args, {"rules", "baseline", "dry_run"}); !ok) return std::unexpected(ok.error());
  auto rules = module_args::string_arg(args, "rules");
  if (!rules) return std::unexpected(rules.error());
  auto baseline = module_args::string_arg(args, "baseline");
  if (!baseline) return std::unexpected(baseline.error());
  auto dry_run = module_args::bool_arg(args, "dry_run");
  if (!dry_run) return std::unexpected(dry_run.error());
  return ReportArgs{.rules = rules->value_or(""), .baseline = baseline->value_or(""), .dry_run = dry_run->value_or(false)};
}

// The blamed part as an item: failed when critical or unknown, "warning" otherwise; it counts
// against the hosts the blame takes out of service (none for a circuit: then its ends' hosts).
ItemResult blame_item(const health::Blame& b, std::int64_t now) {
  ItemResult it{.kind = health::to_string(b.kind), .id = b.part};
  it.status = b.severity == Severity::warning ? "warning" : std::string(item_status::failed);
  it.message = fmt::format("{}: {}", health::to_string(b.severity), b.reason);
  it.data = {{"severity", health::to_string(b.severity)}, {"hosts", b.hosts}, {"tests", b.tests.size()}, {"findings", b.findings.size()}};
  it.hosts = b.hosts;
  if (it.hosts.empty()) {
    for (const auto& t : b.tests) {
      for (const auto& end : {t.a, t.b}) {
        const std::string host = end.substr(0, end.find(':'));
        if (std::find(it.hosts.begin(), it.hosts.end(), host) == it.hosts.end()) it.hosts.push_back(host);
      }
    }
  }
  it.started_ns = it.finished_ns = now;
  return it;
}

// health.json, written whatever the verdict (unknown included): the health command reads it.
Result<std::string> write_health_json(const health::HealthReport& report, const std::string& out_dir) {
  if (out_dir.empty()) return std::string();
  return write_file_atomically(out_dir, kHealthJsonName, health::health_report_json(report).dump(2) + "\n");
}

std::int64_t earliest_observation(const health::HealthLedger::Snapshot& s, std::int64_t fallback) {
  std::int64_t t = fallback;
  for (const auto& o : s.observations) {
    if (o.at_ns != 0) t = std::min(t, o.at_ns);
  }
  return t;
}

}  // namespace

Result<void> HealthReportModule::validate(const nlohmann::json& args, const ValidationContext& /*vc*/) const {
  if (is_templated(args)) return module_args::only_keys(args, {"rules", "baseline", "dry_run"});
  auto parsed = parse_args(args);
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

StepResult HealthReportModule::run(const nlohmann::json& raw_args, StepContext& ctx) {
  auto args = parse_args(raw_args);
  if (!args) return module_args::step_error(args.error());
  const auto snapshot = health::ledger_of(ctx.state).snapshot();
  const std::int64_t now = realtime_ns();
  health::ReportParts parts{.run_id = ctx.state.run_id, .started_ns = earliest_observation(snapshot, now), .finished_ns = now,
                            .observations = snapshot.observations, .tests = snapshot.tests};

  StepResult result;
  // Every figure goes in: the rules judge each path's latest against its peers' first figures (a
  // path's first figure that its retest superseded is kept in the report, not judged).
  auto findings = health_parts::evaluate_rules(args->rules, args->baseline, snapshot.observations, ctx.inventory);
  if (!findings) {
    // Could not judge: the report says unknown, and so does the step.
    auto report = health::make_health_report(std::move(parts), ctx.inventory);
    report.overall = Severity::unknown;
    // Ignored on purpose: the step fails with the rules' error anyway, and without a health.json
    // the health command says UNKNOWN too.
    (void)write_health_json(report, ctx.state.out_dir);
    result = module_args::step_error(findings.error());
    result.data = {{"overall", "unknown"}, {"exit_code", health::exit_code(Severity::unknown)}};
    return result;
  }
  // The modules' own findings (unreachable agents, inventory drift, clock) with the rules'.
  std::vector<health::Finding> all = snapshot.findings;
  all.insert(all.end(), findings->begin(), findings->end());
  auto judged = snapshot;
  health::fail_tests_the_rules_failed(judged.tests, *findings);
  parts.tests = judged.tests;
  parts.blames = health_parts::blame_parts(judged, all, ctx.inventory);
  parts.findings = std::move(all);
  const auto report = health::make_health_report(std::move(parts), ctx.inventory);

  for (const auto& b : report.blames) ctx.sink.record(blame_item(b, now));
  auto json_path = write_health_json(report, ctx.state.out_dir);
  nlohmann::json outputs = nlohmann::json::array();
  if (!json_path) {
    outputs.push_back({{"what", "health.json"}, {"failed", true}, {"note", json_path.error().message}});
  } else if (!json_path->empty()) {
    outputs.push_back({{"what", "health.json"}, {"path", *json_path}});
  }
  for (const auto& n : health_parts::write_outputs(report, snapshot.unreachable_hosts, ctx.inventory, ctx.state.out_dir, ctx.state.db_path,
                                                          args->dry_run)) {
    outputs.push_back({{"what", n.what}, {"path", n.path}, {"note", n.note}, {"failed", n.failed}});
  }

  std::map<std::string, int> by_severity;
  for (const auto& b : report.blames) by_severity[health::to_string(b.severity)] += 1;
  result.data = {{"overall", health::to_string(report.overall)},
                 {"exit_code", health::exit_code(report.overall)},
                 {"blames", by_severity},
                 {"tests", report.tests.size()},
                 {"findings", report.findings.size()},
                 {"observations", report.observations.size()},
                 {"unreachable_hosts", snapshot.unreachable_hosts},
                 {"outputs", outputs}};
  std::string blamed;
  for (const auto& b : report.blames) blamed += (blamed.empty() ? "" : ", ") + b.part;
  result.message = fmt::format("{}: {} test(s), {} finding(s), blamed: {}", health::to_string(report.overall), report.tests.size(),
                               report.findings.size(), blamed.empty() ? std::string("nothing") : blamed);
  return result;
}

}  // namespace mixnet::coord
