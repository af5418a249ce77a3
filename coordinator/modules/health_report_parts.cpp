#include "coordinator/modules/health_report_parts.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "coordinator/health/blame.hpp"
#include "coordinator/health/blame_inputs.hpp"
#include "coordinator/health/rules.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord::health_parts {

Result<std::vector<health::Finding>> evaluate_rules(const std::string& rules_file, const std::string& baseline_file,
                                                    const std::vector<health::Observation>& observations) {
  health::RuleSet rules;
  if (rules_file.empty()) {
    rules = health::default_rules();
  } else {
    auto read = health::read_rules(rules_file);
    if (!read) return std::unexpected(read.error());
    rules = std::move(*read);
  }
  if (!baseline_file.empty()) {
    // Wired when the baseline reader (h/rules, baseline.hpp) is merged.
    return fail(Errc::unavailable, "this build reads no baseline files yet", "baseline");
  }
  return health::evaluate(rules, observations, nullptr);
}

std::vector<health::Blame> blame_parts(const health::HealthLedger::Snapshot& ledger, const std::vector<health::Finding>& findings,
                                       const Inventory& inventory) {
  health::BlameInput input;
  input.tests = ledger.tests;
  for (const auto& f : findings) {
    if (f.severity != health::Severity::ok) input.findings.push_back(f);
  }
  input.unreachable_hosts = ledger.unreachable_hosts;
  input.host_ports = health::host_ports_of(inventory);
  input.ocs_port_owner = health::ocs_port_owners(inventory);
  return health::blame(input);
}

std::vector<OutputNote> write_outputs(const health::HealthReport& report, const std::string& /*out_dir*/, bool dry_run) {
  std::vector<OutputNote> notes;
  // Wired when h/reports (Prometheus textfile, HTML), h/rules (health_records) and h/slurm
  // (apply_scheduler) are merged; until then the dry-run list is all the scheduler part says.
  notes.push_back({.what = "prometheus", .note = "not written: this build has no Prometheus writer yet"});
  notes.push_back({.what = "html", .note = "not written: this build has no HTML report yet"});
  notes.push_back({.what = "observations", .note = "not persisted: this build has no health records yet"});
  std::vector<std::string> drains;
  for (const auto& b : report.blames) {
    if (b.severity != health::Severity::critical) continue;
    for (const auto& h : b.hosts) drains.push_back(fmt::format("{} ({})", h, b.reason));
  }
  notes.push_back({.what = "scheduler",
                   .note = fmt::format("{}no scheduler configured: would drain {}", dry_run ? "dry run, " : "",
                                       drains.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(drains, "; ")))});
  return notes;
}

}  // namespace mixnet::coord::health_parts
