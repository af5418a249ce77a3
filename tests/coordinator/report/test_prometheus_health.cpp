// The Prometheus textfile of a nightly health run: accepted by promtool (Debian's prometheus
// package, a test dependency: the test fails when it is missing), with the values the report
// holds, escaped labels, and written whole or not at all.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "coordinator/report/prometheus_health.hpp"
#include "tests/coordinator/report/health_report_sample.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/text_file.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using mixnet::coord::testing::sample_health_report;

namespace {

using mixnet::testing::read_all;

// `promtool check metrics` with a deadline; throws (failing the test) with promtool's complaints,
// or when promtool is not installed.
void promtool_check(const std::string& path) {
  mixnet::testing::run_command("timeout 60 promtool check metrics < " + path);
}

// Sample lines as "name{labels}" -> value text; every family's HELP and TYPE lines counted.
struct Parsed {
  std::map<std::string, std::string> samples;
  std::map<std::string, int> help_lines;
  std::map<std::string, int> type_lines;
};

Parsed parse(const std::string& text) {
  Parsed p;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# HELP ", 0) == 0) {
      ++p.help_lines[line.substr(7, line.find(' ', 7) - 7)];
    } else if (line.rfind("# TYPE ", 0) == 0) {
      ++p.type_lines[line.substr(7, line.find(' ', 7) - 7)];
    } else if (!line.empty()) {
      const auto space = line.rfind(' ');
      p.samples[line.substr(0, space)] = line.substr(space + 1);
    }
  }
  return p;
}

double value_of(const Parsed& p, const std::string& key) {
  const auto it = p.samples.find(key);
  if (it == p.samples.end()) FAIL("no sample " << key);
  return std::stod(it->second);
}

}  // namespace

TEST_CASE("the health textfile passes promtool and carries the report's verdicts and figures", "[report][health][prometheus]") {
  mixnet::testing::ScratchDir dir("mixnet-prom-test");
  const auto path = dir.path + "/textfile/mixnet_health.prom";   // the folder does not exist yet
  const auto report = sample_health_report();
  REQUIRE(write_prometheus_textfile(report, path));
  REQUIRE_NOTHROW(promtool_check(path));

  const auto text = read_all(path);
  REQUIRE(text == prometheus_health_text(report));
  const auto p = parse(text);
  for (const auto& [name, n] : p.type_lines) {
    INFO(name);
    CHECK(n == 1);
    CHECK(p.help_lines.at(name) == 1);
  }

  // The run.
  CHECK(value_of(p, "mixnet_health_run_severity") == 2);
  CHECK(value_of(p, "mixnet_health_run_info{run_id=\"20261206T020000Z-3f2a\"}") == 1);
  CHECK(value_of(p, "mixnet_health_run_timestamp_seconds") == Approx(1796523154.5).epsilon(1e-12));
  CHECK(value_of(p, "mixnet_health_run_duration_seconds") == Approx(754.5));
  CHECK(value_of(p, "mixnet_health_run_tests{result=\"passed\"}") == 3);
  CHECK(value_of(p, "mixnet_health_run_tests{result=\"failed\"}") == 3);
  CHECK(value_of(p, "mixnet_health_blames{kind=\"port\",severity=\"critical\"}") == 1);
  CHECK(value_of(p, "mixnet_health_blames{kind=\"circuit\",severity=\"critical\"}") == 1);
  CHECK(value_of(p, "mixnet_health_blames{kind=\"host\",severity=\"critical\"}") == 0);

  // Hosts: h3 holds the blamed port, h2 a warning; h4's bad circuit is not h4's fault.
  CHECK(value_of(p, "mixnet_health_host_severity{host=\"h1\"}") == 0);
  CHECK(value_of(p, "mixnet_health_host_severity{host=\"h2\"}") == 1);
  CHECK(value_of(p, "mixnet_health_host_severity{host=\"h3\"}") == 2);
  CHECK(value_of(p, "mixnet_health_host_severity{host=\"h4\"}") == 0);
  CHECK(value_of(p, "mixnet_health_host_blamed{host=\"h3\"}") == 1);
  CHECK(value_of(p, "mixnet_health_host_blamed{host=\"h4\"}") == 0);

  // Ports: one series per port of the inventory, and none for a port it does not have.
  CHECK(value_of(p, "mixnet_health_port_severity{host=\"h3\",port=\"ocs0\"}") == 2);
  CHECK(value_of(p, "mixnet_health_port_severity{host=\"h3\",port=\"eps0\"}") == 0);
  CHECK(value_of(p, "mixnet_health_port_severity{host=\"h2\",port=\"eps0\"}") == 1);
  CHECK(value_of(p, "mixnet_health_port_severity{host=\"h4\",port=\"ocs0\"}") == 0);
  CHECK_FALSE(p.samples.contains("mixnet_health_port_severity{host=\"h4\",port=\"eps0\"}"));
  CHECK(value_of(p, "mixnet_health_port_tests{host=\"h3\",port=\"ocs0\",result=\"failed\"}") == 2);
  CHECK(value_of(p, "mixnet_health_port_tests{host=\"h3\",port=\"ocs0\",result=\"passed\"}") == 0);
  CHECK(value_of(p, "mixnet_health_port_tests{host=\"h1\",port=\"ocs0\",result=\"passed\"}") == 1);
  CHECK(value_of(p, "mixnet_health_port_best_bandwidth_gbps{host=\"h3\",port=\"ocs0\"}") == Approx(3.1));
  CHECK(value_of(p, "mixnet_health_port_best_bandwidth_gbps{host=\"h4\",port=\"ocs0\"}") == Approx(9.3));
  CHECK(std::isnan(value_of(p, "mixnet_health_port_best_bandwidth_gbps{host=\"h3\",port=\"eps0\"}")));

  // Other parts, and every figure measured: the retest's figure supersedes the first pass's, a
  // figure that could not be measured is NaN, milliseconds become seconds.
  CHECK(value_of(p, "mixnet_health_circuit_severity{from=\"h4:ocs0\",to=\"h1:ocs0\"}") == 2);
  CHECK(value_of(p, "mixnet_health_ocs_port_severity{switch=\"ocs1\",port=\"3\"}") == 2);
  CHECK(value_of(p, "mixnet_health_ocs_port_severity{switch=\"ocs1\",port=\"1\"}") == 0);
  CHECK(value_of(p, "mixnet_health_port_bandwidth_gbps{host=\"h3\",port=\"ocs0\"}") == Approx(3.0));
  CHECK(value_of(p, "mixnet_health_port_bandwidth_gbps{host=\"h1\",port=\"ocs0\"}") == Approx(9.4));
  CHECK(value_of(p, "mixnet_health_port_symbol_error{host=\"h2\",port=\"eps0\"}") == 4);
  CHECK(p.samples.at("mixnet_health_port_carrier_changes{host=\"h4\",port=\"ocs0\"}") == "NaN");
  CHECK(value_of(p, "mixnet_health_ocs_port_input_power_dbm{switch=\"ocs1\",port=\"3\"}") == -25);
  CHECK(value_of(p, "mixnet_health_ocs_port_input_power_dbm{switch=\"ocs1\",port=\"1\"}") == -3.25);
  CHECK(value_of(p, "mixnet_health_host_clock_offset_seconds{host=\"h1\"}") == Approx(0.00025));
  CHECK(value_of(p, "mixnet_health_port_rdma_gid_number{host=\"h1\",port=\"ocs0\"}") == 4);
  CHECK(value_of(p, "mixnet_health_circuit_bandwidth_gbps{from=\"h4:ocs0\",to=\"h1:ocs0\"}") == 0.5);
  CHECK(value_of(p, "mixnet_health_eps_pair_bandwidth_gbps{a=\"h1:eps0\",b=\"h2:eps0\"}") == 9.5);
  CHECK(value_of(p, "mixnet_health_eps_pair_severity{a=\"h1:eps0\",b=\"h2:eps0\"}") == 0);

  // Written whole: rewriting leaves only the final file, never NAME.tmp.
  auto changed = report;
  changed.overall = health::Severity::ok;
  REQUIRE(write_prometheus_textfile(changed, path));
  CHECK(parse(read_all(path)).samples.at("mixnet_health_run_severity") == "0");
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path + "/textfile")) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"mixnet_health.prom"});
}

TEST_CASE("an empty health report still makes a valid textfile", "[report][health][prometheus]") {
  mixnet::testing::ScratchDir dir("mixnet-prom-test");
  health::HealthReport empty;
  empty.run_id = "r";
  empty.overall = health::Severity::unknown;
  const auto path = dir.path + "/empty.prom";
  REQUIRE(write_prometheus_textfile(empty, path));
  REQUIRE_NOTHROW(promtool_check(path));
  const auto p = parse(read_all(path));
  CHECK(p.samples.at("mixnet_health_run_severity") == "3");
  CHECK(p.samples.at("mixnet_health_run_timestamp_seconds") == "NaN");
}

TEST_CASE("label values and help text are escaped as the exposition format says", "[report][health][prometheus]") {
  CHECK(prometheus_label_escape("plain-h1:ocs0") == "plain-h1:ocs0");
  CHECK(prometheus_label_escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(prometheus_help_escape("a\"b\\c\nd") == "a\"b\\\\c\\nd");

  // Hostile part names and figures end up as valid, escaped series.
  mixnet::testing::ScratchDir dir("mixnet-prom-test");
  health::HealthReport r;
  r.run_id = "run \"7\"";
  r.hosts = {"h\\1"};
  r.ports = {"h\\1:p\"0\n"};
  r.observations.push_back(mixnet::coord::testing::sample_observation(health::PartKind::port, "h\\1:p\"0\n", "Odd Figure-Name_total", 1.5, "x", 1));
  r.observations.push_back(mixnet::coord::testing::sample_observation(health::PartKind::port, "h\\1:p\"0\n", "severity", 7, "", 1));
  const auto path = dir.path + "/odd.prom";
  REQUIRE(write_prometheus_textfile(r, path));
  REQUIRE_NOTHROW(promtool_check(path));
  const auto p = parse(read_all(path));
  CHECK(p.samples.at("mixnet_health_run_info{run_id=\"run \\\"7\\\"\"}") == "1");
  CHECK(p.samples.at("mixnet_health_port_odd_figure_name{host=\"h\\\\1\",port=\"p\\\"0\\n\"}") == "1.5");
  // A figure named like a verdict family gets its own family instead of overwriting the verdict.
  CHECK(p.samples.at("mixnet_health_port_severity{host=\"h\\\\1\",port=\"p\\\"0\\n\"}") == "0");
  CHECK(p.samples.at("mixnet_health_port_severity_observed{host=\"h\\\\1\",port=\"p\\\"0\\n\"}") == "7");
}

TEST_CASE("figure names become lint-clean metric names", "[report][health][prometheus]") {
  CHECK(prometheus_figure_name("bandwidth_gbps") == "bandwidth_gbps");
  CHECK(prometheus_figure_scale("bandwidth_gbps") == 1.0);
  CHECK(prometheus_figure_name("clock_offset_ms") == "clock_offset_seconds");
  CHECK(prometheus_figure_scale("clock_offset_ms") == 1e-3);
  CHECK(prometheus_figure_name("link_up_us") == "link_up_seconds");
  CHECK(prometheus_figure_scale("link_up_us") == 1e-6);
  CHECK(prometheus_figure_name("Rx-Errors_total") == "rx_errors");
  CHECK(prometheus_figure_name("rdma_gid_count") == "rdma_gid_number");
  CHECK(prometheus_figure_name("latency_sum") == "latency_sum_value");
  CHECK(prometheus_figure_name("speed_mbps") == "speed_mbps");
  CHECK(prometheus_figure_name("") == "unnamed");
}

TEST_CASE("a textfile path that names no file or cannot be written is an error", "[report][health][prometheus]") {
  const auto report = sample_health_report();
  auto no_file = write_prometheus_textfile(report, "");
  REQUIRE_FALSE(no_file);
  CHECK(no_file.error().code == Errc::invalid_argument);
  CHECK(no_file.error().field == "path");
  auto unwritable = write_prometheus_textfile(report, "/dev/null/mixnet_health.prom");
  REQUIRE_FALSE(unwritable);
  CHECK(unwritable.error().code == Errc::io);
}
