// Baselines: observations persisted per run in the results store, a baseline made from the
// passing runs, written as a reviewable YAML file and read back the same; a bad file's errors
// name the file, the part and the field.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "coordinator/health/baseline.hpp"
#include "coordinator/store/health_records.hpp"
#include "coordinator/store/store.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::health;

namespace {

struct BaselineTempDir {
  std::filesystem::path path;
  BaselineTempDir() {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() / ("mixnet-baseline-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~BaselineTempDir() { std::filesystem::remove_all(path); }
};

Observation obs(PartKind kind, std::string part, std::string figure, std::optional<double> value, std::string unit) {
  Observation o;
  o.kind = kind;
  o.part = std::move(part);
  o.figure = std::move(figure);
  o.value = value;
  o.unit = std::move(unit);
  o.source = "test";
  return o;
}

void add_run(ResultsStore& store, HealthRecords& records, const std::string& id, std::int64_t started, const std::string& status,
             const std::vector<Observation>& observations) {
  RunRow row{.id = id, .playbook = "nightly-health.yaml", .playbook_name = "nightly-health", .hostname = "h", .started_ns = started};
  REQUIRE(store.begin_run(row).has_value());
  REQUIRE(records.save(id, observations).has_value());
  REQUIRE(store.finish_run(id, status, "", started + 1, nlohmann::json::array()).has_value());
}

}  // namespace

TEST_CASE("median and spread of a list") {
  const auto s = spread_of({9.0, 9.4, 9.5, 9.3, 9.6});
  CHECK(s.median == Approx(9.4));
  CHECK(s.mad == Approx(0.1));
  CHECK(s.p10 == Approx(9.12));
  CHECK(s.p90 == Approx(9.56));
  CHECK(median_of({1, 2, 3, 4}) == Approx(2.5));
}

TEST_CASE("observations are saved per run and read back, for a run, for passing runs and for a part across nights") {
  BaselineTempDir dir;
  auto store = ResultsStore::open((dir.path / "results.db").string());
  REQUIRE(store.has_value());
  auto records = HealthRecords::open(**store);
  REQUIRE(records.has_value());
  auto missing = obs(PartKind::port, "h2:ocs0", "bandwidth_gbps", std::nullopt, "Gb/s");
  missing.why_missing = "no answer";
  missing.at_ns = 42;
  add_run(**store, *records, "r1", 100, "passed",
          {obs(PartKind::port, "h1:ocs0", "bandwidth_gbps", 9.4, "Gb/s"), missing,
           obs(PartKind::circuit, "h1:ocs0>h2:ocs0", "bandwidth_gbps", 9.3, "Gb/s"), obs(PartKind::host, "h1", "clock_offset_ms", 0.2, "ms"),
           obs(PartKind::port, "h10:ocs0", "bandwidth_gbps", 1.0, "Gb/s")});
  add_run(**store, *records, "r2", 200, "failed", {obs(PartKind::port, "h1:ocs0", "bandwidth_gbps", 3.1, "Gb/s")});
  add_run(**store, *records, "r3", 300, "passed", {obs(PartKind::port, "h1:ocs0", "bandwidth_gbps", 9.5, "Gb/s")});
  RunRow no_health{.id = "r4", .playbook = "p", .playbook_name = "p", .hostname = "h", .started_ns = 400};
  REQUIRE((*store)->begin_run(no_health).has_value());
  REQUIRE((*store)->finish_run("r4", "passed", "", 401, nlohmann::json::array()).has_value());

  auto r1 = records->load_run("r1");
  REQUIRE(r1.has_value());
  REQUIRE(r1->size() == 5);
  CHECK((*r1)[1].part == "h2:ocs0");
  CHECK_FALSE((*r1)[1].value);
  CHECK((*r1)[1].why_missing == "no answer");
  CHECK((*r1)[1].at_ns == 42);
  CHECK((*r1)[2].kind == PartKind::circuit);
  CHECK((*r1)[3].value == 0.2);

  auto passing = records->passing_runs(10);   // r4 passed but recorded nothing; r2 failed
  REQUIRE(passing.has_value());
  REQUIRE(passing->size() == 2);
  CHECK((*passing)[0].run_id == "r3");
  CHECK((*passing)[1].run_id == "r1");
  CHECK((*passing)[1].observations.size() == 5);

  auto port = records->history(HealthPartFilter{.part = "h1:ocs0"}, 10);
  REQUIRE(port.has_value());
  REQUIRE(port->size() == 3);                  // oldest first, failing nights included
  CHECK((*port)[0].run_id == "r1");
  CHECK((*port)[1].observations.at(0).value == 3.1);
  CHECK((*port)[0].observations.size() == 1);
  auto host = records->history(HealthPartFilter{.host = "h1"}, 2);
  REQUIRE(host.has_value());
  REQUIRE(host->size() == 2);                  // the newest two nights
  CHECK((*host)[0].run_id == "r2");
  auto host_all = records->history(HealthPartFilter{.host = "h1", .figure = "bandwidth_gbps"}, 10);
  REQUIRE(host_all.has_value());
  CHECK(host_all->at(0).observations.size() == 2);   // h1:ocs0 and the circuit from it; not h10:ocs0, not the clock

  auto everything = records->history(HealthPartFilter{}, 10);   // no filter: every part, for the nightly's trend check
  REQUIRE(everything.has_value());
  REQUIRE(everything->size() == 3);
  CHECK(everything->at(0).observations.size() == 5);

  auto named = records->runs({"r1", "r2"});
  REQUIRE(named.has_value());
  CHECK(named->size() == 2);
  auto unknown = records->runs({"nope"});
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == Errc::not_found);
  auto empty = records->runs({"r4"});
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().message.find("r4") != std::string::npos);

  // Saving for a run the store does not know is refused (the table references runs).
  CHECK_FALSE(records->save("ghost", {obs(PartKind::port, "h1:ocs0", "bandwidth_gbps", 1, "Gb/s")}).has_value());
}

TEST_CASE("a baseline made from passing runs round-trips through its YAML file") {
  BaselineTempDir dir;
  auto store = ResultsStore::open((dir.path / "results.db").string());
  REQUIRE(store.has_value());
  auto records = HealthRecords::open(**store);
  REQUIRE(records.has_value());
  const std::vector<double> nightly{9.40, 9.38, 9.45, 9.41, 9.20};
  for (std::size_t i = 0; i < nightly.size(); ++i)
    add_run(**store, *records, "r" + std::to_string(i), static_cast<std::int64_t>(i + 1) * 100, "passed",
            {obs(PartKind::port, "h1:ocs0", "bandwidth_gbps", nightly[i], "Gb/s"),
             // a retest in the same run: the run counts once, with its median
             obs(PartKind::port, "h1:ocs0", "bandwidth_gbps", nightly[i] + 0.02, "Gb/s"),
             obs(PartKind::circuit, "h1:ocs0>h2:ocs0", "bandwidth_gbps", 9.3, "Gb/s"),
             obs(PartKind::ocs_port, "ocs1/17", "input_power_dbm", -3.0 - static_cast<double>(i) * 0.1, "dBm"),
             obs(PartKind::port, "h2:ocs0", "symbol_error", i == 0 ? std::nullopt : std::optional<double>(0), "count")});
  auto runs = records->passing_runs(5);
  REQUIRE(runs.has_value());
  auto b = make_baseline(*runs);
  b.generated_at = "2026-12-06T20:00:00Z";
  b.generated_from = "/tmp/results.db";
  REQUIRE(b.run_ids.size() == 5);
  const auto* e = b.find("h1:ocs0", "bandwidth_gbps");
  REQUIRE(e != nullptr);
  CHECK(e->runs == 5);
  CHECK(e->median == Approx(9.41));   // the runs' medians: 9.41 9.39 9.46 9.42 9.21
  CHECK(e->mad == Approx(0.02));
  CHECK(e->unit == "Gb/s");
  REQUIRE(b.find("h2:ocs0", "symbol_error") != nullptr);
  CHECK(b.find("h2:ocs0", "symbol_error")->runs == 4);   // the run without a value is left out
  CHECK(b.find("ocs1/17", "input_power_dbm")->kind == PartKind::ocs_port);

  const auto text = baseline_yaml(b);
  CHECK(text.starts_with("# mixnet health baseline"));
  CHECK(text.find("from /tmp/results.db, 5 runs") != std::string::npos);
  CHECK(text.find("\"h1:ocs0\":\n    kind: port\n    figures:\n      \"bandwidth_gbps\": {median: 9.41, mad: 0.02,") != std::string::npos);
  const auto path = (dir.path / "baseline.yaml").string();
  std::ofstream(path) << text;
  auto back = read_baseline(path);
  INFO((back ? std::string() : back.error().message));
  REQUIRE(back.has_value());
  CHECK(back->file == path);
  CHECK(back->run_ids == b.run_ids);
  CHECK(back->generated_at == b.generated_at);
  REQUIRE(back->entries.size() == b.entries.size());
  for (const auto& [key, entry] : b.entries) {
    const auto* r = back->find(key.first, key.second);
    REQUIRE(r != nullptr);
    CHECK(r->kind == entry.kind);
    CHECK(r->median == Approx(entry.median));
    CHECK(r->mad == Approx(entry.mad));
    CHECK(r->p10 == Approx(entry.p10));
    CHECK(r->p90 == Approx(entry.p90));
    CHECK(r->runs == entry.runs);
    CHECK(r->unit == entry.unit);
  }
}

TEST_CASE("a bad baseline file is refused with the file, the part and the field") {
  auto err = [](const std::string& text) {
    auto r = parse_baseline(text, "base.yaml");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    return r.error().message;
  };
  const std::string head = "version: 1\nruns: [a, b]\nparts:\n  \"h1:ocs0\":\n    kind: port\n    figures:\n";
  CHECK(err(head + "      bandwidth_gbps: {median: 9.4, mad: -1, p10: 9, p90: 10, runs: 2}\n") ==
        "base.yaml:7: parts.h1:ocs0.bandwidth_gbps.mad: a spread is never negative");
  CHECK(err(head + "      bandwidth_gbps: {median: 9.4, mad: 0.1, p10: 9.5, p90: 10, runs: 2}\n").find("expected p10 <= median <= p90") != std::string::npos);
  CHECK(err(head + "      bandwidth_gbps: {median: 9.4, mad: 0.1, p10: 9, p90: 10, runs: 3}\n").find("parts.h1:ocs0.bandwidth_gbps.runs: must be 1..2") !=
        std::string::npos);
  CHECK(err(head + "      bandwidth_gbps: {median: 9.4, mad: 0.1, p10: 9, runs: 2}\n").find("parts.h1:ocs0.bandwidth_gbps.p90: missing") != std::string::npos);
  CHECK(err(head + "      bandwidth_gbps: {median: fast, mad: 0.1, p10: 9, p90: 10, runs: 2}\n").find("parts.h1:ocs0.bandwidth_gbps.median") != std::string::npos);
  CHECK(err("version: 1\nparts:\n  x:\n    kind: nic\n    figures: {}\n").find("parts.x.kind: unknown part kind 'nic'") != std::string::npos);
  CHECK(err("parts: {}\n").find("version: missing") != std::string::npos);
  CHECK(err("version: 1\nparts: {}\nextra: 1\n").find("extra: unknown key") != std::string::npos);
}
