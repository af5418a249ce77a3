// The HTML health report: self-contained (no script, no external reference), every text from the
// report escaped, and, loaded in headless Chromium (Debian's chromium, a test dependency), a DOM
// with the grid cells coloured by verdict, the blame and its evidence, and a chart per trend.
#include <catch2/catch.hpp>

#include <fstream>
#include <limits>
#include <sstream>

#include "coordinator/report/html_health.hpp"
#include "coordinator/report/svg_trend.hpp"
#include "tests/coordinator/report/health_report_sample.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/text_file.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using mixnet::coord::testing::kSampleStartedNs;
using mixnet::coord::testing::sample_health_report;

namespace {

using mixnet::testing::read_all;
using mixnet::testing::count_of;

constexpr std::int64_t kDay = 86'400'000'000'000;

HealthHistory sample_history() {
  HistorySeries bw{health::PartKind::port, "h3:ocs0", "bandwidth_gbps", "Gb/s", {}};
  for (int night = 0; night < 5; ++night) bw.points.push_back({kSampleStartedNs - (4 - night) * kDay, 9.4 - night * 1.5});
  HistorySeries power{health::PartKind::ocs_port, "ocs1/3", "input_power_dbm", "dBm",
                      {{kSampleStartedNs - kDay, -3.0}, {kSampleStartedNs, -25.0}}};
  HistorySeries fresh{health::PartKind::port, "h4:ocs0", "bandwidth_gbps", "Gb/s", {}};   // a new port: no nights yet
  return {bw, power, fresh};
}

// Loads the page in headless Chromium with a deadline and returns the rendered DOM. Throws
// (failing the test) with Chromium's complaints when it cannot, or is not installed.
std::string rendered_dom(const std::string& dir, const std::string& page) {
  const auto dom = dir + "/dom.html";
  const auto log = dir + "/chromium.log";
  try {
    mixnet::testing::run_command("(timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=" + dir +
                                 "/profile --dump-dom file://" + page + " > " + dom + " 2> " + log + ")");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "\n" + read_all(log));
  }
  return read_all(dom);
}

}  // namespace

TEST_CASE("the html report renders in headless chromium with the grid, the blames and the trends", "[report][health][html]") {
  mixnet::testing::ScratchDir dir("mixnet-html-test");
  const auto page = dir.path + "/report/health.html";   // the folder does not exist yet
  const auto history = sample_history();
  REQUIRE(write_health_html(sample_health_report(), history, page));
  std::string dom;
  REQUIRE_NOTHROW(dom = rendered_dom(dir.path, page));
  INFO(dom.substr(0, 2000));
  REQUIRE(dom.find("<title>MixNet nightly health 20261206T020000Z-3f2a: critical</title>") != std::string::npos);
  CHECK(dom.find("<span id=\"overall\" class=\"badge verdict-critical\">critical</span>") != std::string::npos);

  // The grid: a cell per port coloured by its verdict, a blank cell where a host lacks a port.
  CHECK(dom.find("<td class=\"cell verdict-critical\" data-port=\"h3:ocs0\"") != std::string::npos);
  CHECK(dom.find("<td class=\"cell verdict-ok\" data-port=\"h3:eps0\"") != std::string::npos);
  CHECK(dom.find("<td class=\"cell verdict-warning\" data-port=\"h2:eps0\"") != std::string::npos);
  CHECK(dom.find("<td class=\"cell verdict-ok\" data-port=\"h1:ocs0\"") != std::string::npos);
  CHECK(dom.find("<td class=\"cell verdict-ok\" data-port=\"h4:ocs0\"") != std::string::npos);   // its circuit was blamed, not it
  CHECK(count_of(dom, "<td class=\"cell ") == 8);
  CHECK(count_of(dom, "<td class=\"cell absent\">") == 1);
  CHECK(dom.find("<th class=\"host verdict-critical\" data-host=\"h3\">h3 <small>(out of service)</small></th>") != std::string::npos);
  CHECK(dom.find("<th class=\"host verdict-warning\" data-host=\"h2\">h2</th>") != std::string::npos);

  // Each blame with its evidence: reason, hosts, partners, tests and findings.
  const auto port_blame = dom.find("<article class=\"blame verdict-critical\" id=\"blame-1\" data-kind=\"port\" data-part=\"h3:ocs0\">");
  REQUIRE(port_blame != std::string::npos);
  const auto port_blame_text = dom.substr(port_blame, dom.find("</article>", port_blame) - port_blame);
  CHECK(port_blame_text.find("<p class=\"reason\">h3:ocs0 failed with 2 partners (3.1 Gb/s &lt; 9.0)</p>") != std::string::npos);
  CHECK(port_blame_text.find("<p class=\"hosts\">Takes out of service: h3</p>") != std::string::npos);
  CHECK(port_blame_text.find("<p class=\"partners\">Partners: h1:ocs0, h2:ocs0</p>") != std::string::npos);
  CHECK(count_of(port_blame_text, "<tr class=\"failed\">") == 2);
  CHECK(port_blame_text.find("3.0 Gb/s &lt; half the peers' median 9.4") != std::string::npos);
  // (Chromium versions differ on escaping ">" in attribute values.)
  const auto circuit_blame = dom.find("data-kind=\"circuit\" data-part=\"h4:ocs0");
  REQUIRE(circuit_blame != std::string::npos);
  CHECK(dom.find("<p class=\"hosts\">Takes no host out of service.</p>", circuit_blame) != std::string::npos);
  CHECK(count_of(dom, "<article class=\"blame ") == 2);

  // A chart per trend (the new port's says it has no history), a dot per night.
  CHECK(count_of(dom, "<figure class=\"trend\"") == 3);
  CHECK(count_of(dom, "<svg class=\"trend-chart\"") == 3);
  CHECK(count_of(dom, "<polyline class=\"trend-line\"") == 2);
  CHECK(count_of(dom, "<circle class=\"trend-point\"") == 7);
  CHECK(dom.find(">no history</text>") != std::string::npos);
}

TEST_CASE("the html report is self-contained and escapes everything taken from the report", "[report][health][html]") {
  auto report = sample_health_report();
  report.run_id = "r<1>";
  report.blames[0].reason = "<script>alert('x')</script> & \"quoted\"";
  report.blames[0].part = "h3:<b>ocs0</b>";
  report.findings[0].message = "<img src=x onerror=alert(1)>";
  report.tests[0].detail = "</td></tr></table><h1>broken</h1>";
  HealthHistory history{{health::PartKind::port, "<svg onload=alert(1)>", "bw\"", "<u>", {{1, 1.0}, {2, 2.0}}}};
  const auto html = health_html(report, history);

  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<b>ocs0") == std::string::npos);
  CHECK(html.find("<h1>broken") == std::string::npos);
  CHECK(html.find("<svg onload") == std::string::npos);
  CHECK(html.find("<u>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;quoted&quot;") != std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  CHECK(html.find("MixNet nightly health r&lt;1&gt;") != std::string::npos);
  CHECK(html.find("data-figure=\"bw&quot;\"") != std::string::npos);

  // A port named without its host still gets its cell (under an empty column name), not a crash.
  auto odd = sample_health_report();
  odd.hosts.push_back("h5");
  odd.ports.push_back("h5");
  CHECK(health_html(odd, {}).find("<td class=\"cell verdict-ok\" data-port=\"h5\"") != std::string::npos);

  // Nothing to fetch: no scripts, stylesheets, images, fonts or links.
  const auto clean = health_html(sample_health_report(), sample_history());
  for (const char* ref : {"<script", "<link", "<img", "<iframe", " src=", " href=", "url(", "@import", "@font-face"}) {
    INFO(ref);
    CHECK(clean.find(ref) == std::string::npos);
  }
}

TEST_CASE("trend charts draw every finite point in time order", "[report][health][html]") {
  HistorySeries s{health::PartKind::port, "h1:ocs0", "bandwidth_gbps", "Gb/s",
                  {{3 * kDay, 9.0}, {1 * kDay, 9.4}, {2 * kDay, std::numeric_limits<double>::quiet_NaN()}, {4 * kDay, 8.6}}};
  const auto svg = svg_trend_chart(s);
  CHECK(svg.rfind("<svg class=\"trend-chart\"", 0) == 0);
  CHECK(svg.ends_with("</svg>"));
  CHECK(count_of(svg, "<circle class=\"trend-point\"") == 3);
  // The highest value on the left at the top, the lowest at the bottom; time runs left to right.
  CHECK(svg.find(">9.4 Gb/s</text>") != std::string::npos);
  CHECK(svg.find(">8.6 Gb/s</text>") != std::string::npos);
  const auto points = svg.substr(svg.find("points=\"") + 8);
  CHECK(points.rfind("64.0,12.0 ", 0) == 0);   // first night (9.4): left edge, top
  CHECK(points.find("408.0,114.0\"") != std::string::npos);   // last night (8.6): right edge, bottom

  HistorySeries flat{health::PartKind::host, "h1", "clock_offset_ms", "ms", {{kDay, 0.5}}};
  const auto one = svg_trend_chart(flat);
  CHECK(count_of(one, "<circle class=\"trend-point\"") == 1);
  CHECK(one.find("no history") == std::string::npos);

  HistorySeries none{health::PartKind::host, "h1", "clock_offset_ms", "ms", {}};
  CHECK(svg_trend_chart(none).find(">no history</text>") != std::string::npos);
}

TEST_CASE("past observations become one series per part and figure", "[report][health][html]") {
  using health::PartKind;
  using mixnet::coord::testing::sample_observation;
  const std::vector<health::Observation> past = {
      sample_observation(PartKind::port, "h1:ocs0", "bandwidth_gbps", 9.4, "Gb/s", 1 * kDay),
      sample_observation(PartKind::port, "h1:ocs0", "symbol_error", 0, "count", 1 * kDay),
      sample_observation(PartKind::port, "h2:ocs0", "bandwidth_gbps", 9.3, "Gb/s", 1 * kDay),
      sample_observation(PartKind::port, "h1:ocs0", "bandwidth_gbps", std::nullopt, "Gb/s", 2 * kDay),   // not measured that night
      sample_observation(PartKind::port, "h1:ocs0", "bandwidth_gbps", 9.1, "Gb/s", 3 * kDay),
      sample_observation(PartKind::host, "h1:ocs0", "bandwidth_gbps", 1, "", 3 * kDay),   // same name, other kind: its own series
  };
  const auto all = history_from_observations(past);
  REQUIRE(all.size() == 4);
  CHECK(all[0].part == "h1:ocs0");
  CHECK(all[0].figure == "bandwidth_gbps");
  CHECK(all[0].unit == "Gb/s");
  REQUIRE(all[0].points.size() == 2);
  CHECK(all[0].points[0].at_ns == 1 * kDay);
  CHECK(all[0].points[1].value == 9.1);
  CHECK(all[1].figure == "symbol_error");
  CHECK(all[2].part == "h2:ocs0");
  CHECK(all[3].kind == PartKind::host);

  const auto bandwidth = history_from_observations(past, {"bandwidth_gbps"});
  REQUIRE(bandwidth.size() == 3);
  for (const auto& s : bandwidth) CHECK(s.figure == "bandwidth_gbps");
}
