#include "coordinator/modules/health_report_parts.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "coordinator/health/blame.hpp"
#include "coordinator/health/baseline.hpp"
#include "coordinator/health/blame_inputs.hpp"
#include "coordinator/health/rules.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/report/health_history.hpp"
#include "coordinator/report/html_health.hpp"
#include "coordinator/report/prometheus_health.hpp"
#include "coordinator/scheduler/drain_policy.hpp"
#include "coordinator/store/health_records.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord::health_parts {

Result<std::vector<health::Finding>> evaluate_rules(const std::string& rules_file, const std::string& baseline_file,
                                                    const std::vector<health::Observation>& observations, const Inventory& inventory) {
  health::RuleSet rules;
  if (rules_file.empty()) {
    rules = health::default_rules();
  } else {
    auto read = health::read_rules(rules_file);
    if (!read) return std::unexpected(read.error());
    rules = std::move(*read);
  }
  std::optional<health::Baseline> baseline;
  if (!baseline_file.empty()) {
    auto read = health::read_baseline(baseline_file);
    if (!read) return std::unexpected(read.error());
    baseline = std::move(*read);
  }
  return health::evaluate(rules, observations, baseline ? &*baseline : nullptr, health::line_rates_of(inventory));
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

namespace {

// Hosts judged healthy this run: answered, and no blame on them or their parts.
std::set<std::string> passed_hosts(const health::HealthReport& report, const std::set<std::string>& unreachable_hosts) {
  std::set<std::string> blamed;
  for (const auto& b : report.blames) {
    if (b.kind == health::PartKind::host) blamed.insert(b.part);
    if (b.kind == health::PartKind::port) blamed.insert(b.part.substr(0, b.part.find(':')));
    blamed.insert(b.hosts.begin(), b.hosts.end());
  }
  std::set<std::string> out;
  for (const auto& h : report.hosts) {
    if (!blamed.contains(h) && !unreachable_hosts.contains(h)) out.insert(h);
  }
  return out;
}

constexpr int kTrendNights = 7;

// The bandwidth of the parts of these hosts (a part named "host:..." or the host itself) across
// the last nights that measured bandwidth (this one included), for the HTML trends. One read of
// the store for every host: a night of a 32-host lab holds thousands of figures.
Result<HealthHistory> bandwidth_history(HealthRecords& records, const std::vector<std::string>& hosts) {
  const std::set<std::string> wanted(hosts.begin(), hosts.end());
  auto nights = records.history(HealthPartFilter{.part = {}, .host = {}, .figure = "bandwidth_gbps"}, kTrendNights);
  if (!nights) return std::unexpected(nights.error());
  std::map<std::pair<std::string, std::string>, HistorySeries> series;
  for (const auto& night : *nights) {
    for (const auto& o : night.observations) {
      if (!o.value || !wanted.contains(o.part.substr(0, o.part.find(':')))) continue;
      auto& s = series[{o.part, o.figure}];
      s.kind = o.kind;
      s.part = o.part;
      s.figure = o.figure;
      s.unit = o.unit;
      s.points.push_back({.at_ns = o.at_ns != 0 ? o.at_ns : night.started_ns, .value = *o.value});
    }
  }
  HealthHistory out;
  for (auto& [_, s] : series) out.push_back(std::move(s));
  return out;
}

OutputNote written(const char* what, const std::string& path, const Result<void>& r) {
  if (!r) return {.what = what, .path = {}, .note = r.error().message, .failed = true};
  return {.what = what, .path = path, .note = "written"};
}

}  // namespace

std::vector<OutputNote> write_outputs(const health::HealthReport& report, const std::set<std::string>& unreachable_hosts,
                                      const Inventory& inventory, const std::string& out_dir, const std::string& db_path,
                                      bool dry_run) {
  std::vector<OutputNote> notes;
  std::unique_ptr<ResultsStore> store;
  if (db_path.empty()) {
    notes.push_back({.what = "observations", .note = "not kept: this run has no results store", .failed = true});
  } else if (auto opened = ResultsStore::open(db_path); !opened) {
    notes.push_back({.what = "observations", .note = opened.error().message, .failed = true});
  } else {
    store = std::move(*opened);
  }

  // The night's figures first: the trends below read them back.
  HealthHistory history;
  if (store) {
    auto records = HealthRecords::open(*store);
    Result<void> saved = records ? records->save(report.run_id, report.observations) : Result<void>(std::unexpected(records.error()));
    notes.push_back(saved ? OutputNote{.what = "observations", .note = fmt::format("{} kept in the results store", report.observations.size())}
                          : OutputNote{.what = "observations", .note = saved.error().message, .failed = true});
    if (records) {
      auto read = bandwidth_history(*records, report.hosts);
      if (read) history = std::move(*read);
      else notes.push_back({.what = "trends", .note = read.error().message, .failed = true});
    }
  }

  if (out_dir.empty()) {
    notes.push_back({.what = "prometheus", .note = "not written: the run has no folder"});
    notes.push_back({.what = "html", .note = "not written: the run has no folder"});
  } else {
    const std::string prom = (std::filesystem::path(out_dir) / "health.prom").string();
    notes.push_back(written("prometheus", prom, write_prometheus_textfile(report, prom)));
    const std::string html = (std::filesystem::path(out_dir) / "health.html").string();
    notes.push_back(written("html", html, write_health_html(report, history, html)));
  }

  // The scheduler: the inventory's, with --dry-run forcing its dry run.
  if (!store) {
    notes.push_back({.what = "scheduler", .note = "not told: no results store to keep its drains in", .failed = true});
    return notes;
  }
  Inventory told = inventory;
  if (dry_run && told.scheduler) told.scheduler->dry_run = true;
  auto actions = scheduler::tell_scheduler(report.blames, passed_hosts(report, unreachable_hosts), told, *store, report.run_id);
  if (!actions) {
    notes.push_back({.what = "scheduler", .note = actions.error().message, .failed = true});
    return notes;
  }
  if (actions->empty()) notes.push_back({.what = "scheduler", .note = "nothing to drain or resume"});
  for (const auto& a : *actions) {
    notes.push_back({.what = "scheduler", .note = scheduler::describe(a), .failed = a.status == scheduler::ActionStatus::failed});
  }
  return notes;
}

}  // namespace mixnet::coord::health_parts
