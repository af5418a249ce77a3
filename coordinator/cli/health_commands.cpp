#include "coordinator/cli/health_commands.hpp"

#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/clock.hpp"
#include "coordinator/cli/commands.hpp"
#include "coordinator/health/baseline.hpp"
#include "coordinator/health/health_types.hpp"
#include "coordinator/health/trend.hpp"
#include "coordinator/store/health_records.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {
namespace {

// Monitoring-plugin codes for `health ...` (health_types.hpp's Severity).
constexpr int kHealthUnknown = health::exit_code(health::Severity::unknown);

std::string night_label(std::int64_t ns) {
  if (ns <= 0) return "-";
  return format_realtime_ns(ns).substr(5, 11);   // "12-01T03:00"
}

std::string cell(const std::optional<double>& v) { return v ? fmt::format("{:.4g}", *v) : "-"; }

}  // namespace

HealthCommands::HealthCommands(CLI::App& app) {
  const auto db_help = fmt::format("the results store (default $MIXNET_DB, else {})", kDefaultDbPath);

  baseline_ = app.add_subcommand("baseline", "health baselines: per part and figure, the median and spread of passing runs");
  baseline_->require_subcommand(1);
  baseline_generate_ = baseline_->add_subcommand("generate", "make a baseline file from the newest N passing runs (or the runs named)");
  auto* count = baseline_generate_->add_option("--runs", runs_, "use the newest N passing runs that recorded health observations")
                    ->check(CLI::Range(1, 10000));
  auto* ids = baseline_generate_->add_option("--run", run_ids_, "use this run (repeatable; instead of --runs)");
  count->excludes(ids);
  baseline_generate_->add_option("-o,--out", out_file_, "the baseline file to write (YAML, reviewable)")->required();
  baseline_generate_->add_option("--db", db_flag_, db_help);

  health_ = app.add_subcommand("health", "the nightly health check; `health trend`: a part's figures across nights");
  health_->require_subcommand(0, 1);
  health_trend_ = health_->add_subcommand("trend", "a port's, host's or part's figures across nights, and slow declines");
  auto* port = health_trend_->add_option("--port", port_, "a NIC port, HOST:PORT");
  auto* host = health_trend_->add_option("--host", host_, "a host: the host and every part named from its ports");
  auto* part = health_trend_->add_option("--part", part_, "any part by its name (ocs1/17, h1:ocs0>h2:ocs1, h1:eps0~h2:eps0)");
  port->excludes(host, part);
  host->excludes(part);
  health_trend_->add_option("--figure", figure_, "only this figure (e.g. bandwidth_gbps)");
  health_trend_->add_option("--nights", nights_, "how many of the newest nights (runs that recorded the part; default 7)")
      ->check(CLI::Range(2, 10000));
  health_trend_->add_option("--decline-percent", decline_percent_, "a fitted fall of more than this over the nights warns (default 3)")
      ->check(CLI::Range(0.0, 100.0));
  health_trend_->add_flag("--json", as_json_, "print JSON");
  health_trend_->add_option("--db", db_flag_, db_help);
}

std::optional<int> HealthCommands::run_selected() {
  if (*baseline_generate_) return baseline_generate();
  if (*health_trend_) return health_trend();
  if (*health_) {
    if (bare_health_) return bare_health_();
    fmt::print(stderr, "mixnet-coord: health: name a subcommand (trend)\n");
    return kHealthUnknown;
  }
  return std::nullopt;
}

int HealthCommands::baseline_generate() {
  if (runs_ == 0 && run_ids_.empty()) {
    fmt::print(stderr, "mixnet-coord: baseline generate: --runs N or --run ID is needed\n");
    return kExitBadInput;
  }
  const auto db_path = resolve_db_path(db_flag_);
  auto store = ResultsStore::open(db_path);
  if (!store) {
    fmt::print(stderr, "mixnet-coord: {}\n", store.error().message);
    return kExitStore;
  }
  auto records = HealthRecords::open(**store);
  if (!records) {
    fmt::print(stderr, "mixnet-coord: {}\n", records.error().message);
    return kExitStore;
  }
  auto runs = run_ids_.empty() ? records->passing_runs(runs_) : records->runs(run_ids_);
  if (!runs) {
    fmt::print(stderr, "mixnet-coord: {}\n", runs.error().message);
    return runs.error().code == Errc::not_found ? kExitBadInput : kExitStore;
  }
  if (run_ids_.empty() && static_cast<int>(runs->size()) < runs_) {
    fmt::print(stderr, "mixnet-coord: baseline generate: {} asks for {} passing runs, the store {} has {} that recorded health observations\n",
               "--runs", runs_, db_path, runs->size());
    return kExitBadInput;
  }
  auto baseline = health::make_baseline(*runs);
  baseline.generated_at = format_realtime_ns(realtime_ns()).substr(0, 19) + "Z";
  baseline.generated_from = std::filesystem::absolute(db_path).lexically_normal().string();
  const std::filesystem::path out(out_file_);
  auto written = write_file_atomically(out.parent_path().empty() ? "." : out.parent_path().string(), out.filename().string(),
                                       health::baseline_yaml(baseline));
  if (!written) {
    fmt::print(stderr, "mixnet-coord: baseline generate: {}\n", written.error().describe());
    return kExitFailed;
  }
  std::set<std::string> parts;
  for (const auto& [key, e] : baseline.entries) parts.insert(key.first);
  fmt::print("wrote {}: {} figures of {} parts from {} passing runs; review it before use\n", *written, baseline.entries.size(), parts.size(),
             baseline.run_ids.size());
  return kExitPassed;
}

int HealthCommands::health_trend() {
  if (port_.empty() && host_.empty() && part_.empty()) {
    fmt::print(stderr, "mixnet-coord: health trend: one of --port, --host or --part is needed\n");
    return kHealthUnknown;
  }
  HealthPartFilter filter;
  filter.part = !port_.empty() ? port_ : part_;
  filter.host = host_;
  filter.figure = figure_;
  auto store = ResultsStore::open(resolve_db_path(db_flag_));
  if (!store) {
    fmt::print(stderr, "mixnet-coord: {}\n", store.error().message);
    return kHealthUnknown;
  }
  auto records = HealthRecords::open(**store);
  if (!records) {
    fmt::print(stderr, "mixnet-coord: {}\n", records.error().message);
    return kHealthUnknown;
  }
  auto nights = records->history(filter, nights_);
  if (!nights) {
    fmt::print(stderr, "mixnet-coord: {}\n", nights.error().message);
    return kHealthUnknown;
  }
  const auto what = !host_.empty() ? "host " + host_ : "part " + filter.part;
  if (nights->empty()) {
    fmt::print(stderr, "mixnet-coord: health trend: no night recorded {}{}\n", what, figure_.empty() ? "" : " figure " + figure_);
    return kHealthUnknown;
  }
  health::TrendOptions options;
  options.nights = nights_;
  options.decline_percent = decline_percent_;
  const auto series = health::series_of(*nights);
  auto worst = health::Severity::ok;

  if (as_json_) {
    auto out = nlohmann::json::object();
    out["nights"] = nlohmann::json::array();
    for (const auto& n : *nights) out["nights"].push_back({{"run_id", n.run_id}, {"started_ns", n.started_ns}});
    out["series"] = nlohmann::json::array();
    for (const auto& s : series) {
      auto values = nlohmann::json::array();
      for (const auto& p : s.points) values.push_back(p.value ? nlohmann::json(*p.value) : nlohmann::json());
      nlohmann::json row = {{"kind", health::to_string(s.kind)}, {"part", s.part}, {"figure", s.figure}, {"unit", s.unit}, {"values", values},
                            {"judged", health::trend_judged(s)}};
      if (auto fit = health::fit_trend(s.points, options)) row["change_percent"] = fit->change_percent;
      if (health::trend_judged(s))
        if (auto f = health::detect_decline(s.kind, s.part, s.figure, s.points, options)) {
          row["finding"] = {{"severity", health::to_string(f->severity)}, {"rule", f->rule}, {"message", f->message}};
          worst = health::worse(worst, f->severity);
        }
      out["series"].push_back(std::move(row));
    }
    out["status"] = health::to_string(worst);
    fmt::print("{}\n", out.dump(2));
    return health::exit_code(worst);
  }

  fmt::print("{} over {} nights (oldest first)\n", what, nights->size());
  std::string header = fmt::format("{:<28} {:<22} {:<6}", "PART", "FIGURE", "UNIT");
  for (const auto& n : *nights) header += fmt::format(" {:>11}", night_label(n.started_ns));
  fmt::print("{}  TREND\n", header);
  std::vector<health::Finding> declines;
  for (const auto& s : series) {
    std::string line = fmt::format("{:<28} {:<22} {:<6}", s.part, s.figure, s.unit);
    for (const auto& p : s.points) line += fmt::format(" {:>11}", cell(p.value));
    std::string trend = "-";
    if (auto fit = health::fit_trend(s.points, options)) trend = fmt::format("{:+.1f}%", fit->change_percent);
    if (health::trend_judged(s))
      if (auto f = health::detect_decline(s.kind, s.part, s.figure, s.points, options)) {
        trend += " DECLINE";
        worst = health::worse(worst, f->severity);
        declines.push_back(std::move(*f));
      }
    fmt::print("{}  {}\n", line, trend);
  }
  for (const auto& f : declines) fmt::print("{}: {} {}: {}\n", health::to_string(f.severity), f.part, f.figure, f.message);
  fmt::print("{}\n", worst == health::Severity::ok ? "OK: no slow decline" : "WARNING: slow decline");
  return health::exit_code(worst);
}

}  // namespace mixnet::coord
