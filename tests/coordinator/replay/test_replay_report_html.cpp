// The replay's HTML page and the files written into a run folder.
#include <catch2/catch.hpp>

#include <filesystem>

#include <fmt/format.h>

#include "coordinator/replay/replay_report.hpp"
#include "tests/coordinator/replay/replay_report_fixture.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/text_file.hpp"

using namespace mixnet::coord::replay;
using namespace mixnet::coord::replay::report_fixtures;
using mixnet::testing::count_of;
using mixnet::testing::read_all;

TEST_CASE("replay HTML: three figures, a stacked bar per layer and mode, planned bytes for the circuit modes", "[replay][report]") {
  const auto html = replay_html(report_fixture());
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(count_of(html, "<svg") == 3);
  CHECK(count_of(html, "</svg>") == 3);
  CHECK(count_of(html, "<svg class=\"layer-times\"") == 1);
  CHECK(count_of(html, "<svg class=\"cumulative-time\"") == 1);
  CHECK(count_of(html, "<svg class=\"planned-bytes\"") == 1);
  // (a): 2 layers x 3 modes, each bar reconfiguring + completion.
  CHECK(count_of(html, "data-part=\"completion\"") == 6);
  CHECK(count_of(html, "data-part=\"reconfiguring\"") == 6);
  for (const auto* mode : {"reconfigured", "static", "electrical"}) {
    for (const auto* layer : {"0", "1"}) {
      CHECK(count_of(html, fmt::format("data-mode=\"{}\" data-layer=\"{}\" data-part=\"completion\"", mode, layer)) == 1);
    }
  }
  // (b): a line per mode; (c): circuit and electrical parts for reconfigured and static only.
  CHECK(count_of(html, "<polyline class=\"line\"") == 3);
  CHECK(count_of(html, "data-part=\"circuit\"") == 4);
  CHECK(count_of(html, "data-part=\"eps\"") == 4);
  CHECK(count_of(html, "data-mode=\"electrical\" data-layer=\"0\" data-part=\"circuit\"") == 0);
  // Units and legend.
  CHECK(html.find(">time (s)</text>") != std::string::npos);
  CHECK(html.find(">cumulative time (s)</text>") != std::string::npos);
  CHECK(html.find(">planned bytes (MB)</text>") != std::string::npos);
  CHECK(count_of(html, "<g class=\"legend\">") == 4 + 3 + 3);
  // Totals, speedups and why the demand was scaled.
  CHECK(html.find("over static <strong>1.67x</strong>, over electrical <strong>2.00x</strong>") != std::string::npos);
  CHECK(html.find("The trace&#39;s bytes were multiplied by 2.5 so the heaviest layer takes 0.5 s") != std::string::npos);
  CHECK(html.find("the links, not the hosts&#39; CPUs, are the bottleneck") != std::string::npos);
  CHECK(html.find("0.1 Gb/s (line_rate_gbps)") != std::string::npos);
  // Self-contained: no script, no external reference.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href=") == std::string::npos);
}

TEST_CASE("replay HTML: a hostile description is escaped", "[replay][report]") {
  auto result = report_fixture();
  result.setup.trace = R"(a<&"b.json)";
  const auto html = replay_html(result);
  CHECK(html.find(R"(<b>"x")") == std::string::npos);
  CHECK(html.find("Trace &lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;") != std::string::npos);
  CHECK(html.find(R"(a<&"b)") == std::string::npos);
  CHECK(html.find("<title>MoE traffic replay: a&lt;&amp;&quot;b.json</title>") != std::string::npos);
  // The page's own markup is intact: each <svg> closed, one body.
  CHECK(count_of(html, "<svg") == count_of(html, "</svg>"));
  CHECK(count_of(html, "<body>") == 1);
}

TEST_CASE("replay HTML: a failed layer is shown as failed in the figures and the table", "[replay][report]") {
  const auto html = replay_html(report_fixture());
  CHECK(count_of(html, "class=\"failed-mark\" data-mode=\"static\" data-layer=\"1\"") == 2);   // (a) and (c)
  CHECK(count_of(html, "class=\"failed-mark\"") == 2);
  CHECK(count_of(html, "class=\"point failed\"") == 1);
  CHECK(html.find("FAILED: flow h1-&gt;h2 short, &quot;reset&quot;") != std::string::npos);
  CHECK(html.find("FAILED (1 of 6 flows failed)") != std::string::npos);
}

TEST_CASE("replay HTML: one mode only still draws every figure, speedups not run", "[replay][report]") {
  const auto html = replay_html(report_fixture_one_mode());
  CHECK(count_of(html, "<svg") == 3);
  CHECK(count_of(html, "data-part=\"completion\"") == 2);
  CHECK(count_of(html, "data-part=\"circuit\"") == 2);
  CHECK(count_of(html, "<polyline class=\"line\"") == 1);
  CHECK(html.find("over static <strong>not run</strong>, over electrical <strong>not run</strong>") != std::string::npos);

  ReplayResult empty;
  const auto nothing = replay_html(empty);
  CHECK(count_of(nothing, "<svg") == 3);
  CHECK(count_of(nothing, ">no layers</text>") == 3);
}

TEST_CASE("replay reports: replay.csv, replay.json and replay.html written into the run folder", "[replay][report]") {
  const mixnet::testing::ScratchDir scratch("replay-report-test");
  const auto run = std::filesystem::path(scratch.path) / "run";   // missing: the writer creates it
  const auto result = report_fixture();
  const auto written = write_replay_reports(result, run.string());
  CHECK(written.has_value());
  CHECK(read_all(run / "replay.csv") == replay_csv(result));
  CHECK(read_all(run / "replay.html") == replay_html(result));
  CHECK(nlohmann::json::parse(read_all(run / "replay.json")) == replay_json(result));
  CHECK_FALSE(std::filesystem::exists(run / "replay.csv.tmp"));
}
