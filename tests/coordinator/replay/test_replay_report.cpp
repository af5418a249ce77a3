// The replay's CSV, JSON and text summary.
#include <catch2/catch.hpp>

#include <sstream>

#include "coordinator/replay/replay_report.hpp"
#include "tests/coordinator/replay/replay_report_fixture.hpp"

using namespace mixnet::coord::replay;
using namespace mixnet::coord::replay::report_fixtures;

namespace {
std::vector<std::string> replay_csv_lines(const std::string& csv) {
  std::vector<std::string> lines;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}
}  // namespace

TEST_CASE("replay CSV: a header, then one row per mode and layer, quoted as RFC 4180, no totals row", "[replay][report]") {
  const auto lines = replay_csv_lines(replay_csv(report_fixture()));
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] ==
        "mode,layer,topology,network_bytes,circuit_bytes,eps_bytes,circuits,changes,reconfig_s,completion_s,total_s,estimate_s,"
        "flows,failed_flows,ok,message");
  CHECK(lines[1] == "reconfigured,0,reconfigured-0,3000000,2000000,1000000,4,2,0.250000,1.000000,1.250000,0.900000,6,0,true,");
  CHECK(lines[5] == "electrical,0,,3000000,0,3000000,0,0,0.000000,3.000000,3.000000,2.700000,6,0,true,");
  // The failed layer's message has a comma and quotes: one quoted field, its quotes doubled.
  CHECK(lines[4] ==
        "static,1,static-1,3000000,2000000,1000000,4,0,0.000000,2.500000,2.500000,2.250000,6,1,false,"
        "\"flow h1->h2 short, \"\"reset\"\"\"");
  for (const auto& line : lines) CHECK(line.find("total,") != 0);
}

TEST_CASE("replay JSON: setup, every layer, totals per mode and both speedups", "[replay][report]") {
  const auto j = replay_json(report_fixture());
  CHECK(j["setup"]["trace"] == "moe-small.json");
  CHECK(j["setup"]["scale"] == 2.5);
  CHECK(j["setup"]["modes"] == nlohmann::json({"reconfigured", "static", "electrical"}));
  REQUIRE(j["layers"].size() == 6);
  CHECK(j["layers"][3]["mode"] == "static");
  CHECK(j["layers"][3]["ok"] == false);
  CHECK(j["layers"][3]["total_s"].get<double>() == Approx(2.5));
  REQUIRE(j["totals"].size() == 3);
  CHECK(j["totals"][0]["mode"] == "reconfigured");
  CHECK(j["totals"][0]["total_s"].get<double>() == Approx(3.0));
  CHECK(j["totals"][0]["reconfig_s"].get<double>() == Approx(0.5));
  CHECK(j["totals"][1]["failed_layers"] == 1);
  CHECK(j["totals"][2]["completion_s"].get<double>() == Approx(6.0));
  CHECK(j["speedup_over_static"].get<double>() == Approx(5.0 / 3.0));
  CHECK(j["speedup_over_electrical"].get<double>() == Approx(2.0));
}

TEST_CASE("replay JSON: a speedup over a mode that did not run is null", "[replay][report]") {
  const auto j = replay_json(report_fixture_one_mode());
  REQUIRE(j["totals"].size() == 1);
  CHECK(j["speedup_over_static"].is_null());
  CHECK(j["speedup_over_electrical"].is_null());
  CHECK(j["layers"].size() == 2);
}

TEST_CASE("replay summary: a row per mode, the speedups, the scale sentence with the line rate", "[replay][report]") {
  const auto text = replay_summary_text(report_fixture());
  const auto lines = replay_csv_lines(text);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0].find("mode") == 0);
  CHECK(lines[1].find("reconfigured") == 0);
  CHECK(lines[1].find("3.000 s") != std::string::npos);
  CHECK(lines[2].find("static") == 0);
  CHECK(lines[2].find("5.000 s") != std::string::npos);
  // Columns line up: every row as long as the header.
  CHECK(lines[1].size() == lines[0].size());
  CHECK(lines[3].size() == lines[0].size());
  CHECK(lines[4] == "speedup of reconfiguring: over static 1.67x, over electrical 2.00x");
  CHECK(lines[5].find("multiplied by 2.5 so the heaviest layer") != std::string::npos);
  CHECK(lines[5].find("the links, not the hosts' CPUs, are the bottleneck") != std::string::npos);
  CHECK(lines[5].find("0.1 Gb/s (line_rate_gbps)") != std::string::npos);

  const auto alone = replay_summary_text(report_fixture_one_mode());
  CHECK(alone.find("over static not run, over electrical not run") != std::string::npos);
}
