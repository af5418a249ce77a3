#include <catch2/catch.hpp>

#include <boost/property_tree/detail/rapidxml.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "coordinator/measure/reports.hpp"
#include "measure_fixtures.hpp"

using namespace mixnet::coord::measure;
using namespace mixnet::coord::measure::testing;
namespace rx = boost::property_tree::detail::rapidxml;

namespace {

// A measured run of `reps` repetitions with truth, a traffic timeline per row and one excerpt.
Measurement sample_measurement(int reps) {
  const auto plan = make_truth_plan(reps);
  const auto clock = agent_clock("h1", 0, 30'000);
  FullRateRule rule;
  rule.line_rate_gbps = 10;
  rule.hold_ns = 20 * kMs;
  std::vector<PortBreakdown> rows;
  std::vector<TimelineExcerpt> excerpts;
  for (const auto& t : plan) {
    auto in = measured_inputs(t, clock, 100'000, t.cmd_sent + 2000 * kMs);
    in.from_topology = "ring,A";  // a comma, to exercise CSV quoting
    Timeline tl;
    tl.start = coordinator_time(t.cmd_sent - 300 * kMs);
    tl.bin_ns = kMs;
    const std::int64_t back = t.link_up + 4 * kMs;
    for (std::int64_t b = tl.start.ns; b < back + 400 * kMs; b += kMs)
      tl.bytes.push_back(b + kMs <= t.link_down || b >= back ? 1'240'000 : (b < t.link_down ? 600'000 : 0));
    in.traffic = tl;
    rows.push_back(compute_breakdown(in, rule));
    if (excerpts.empty()) excerpts.push_back(make_excerpt(tl, rows.back()));
  }
  // One port of the last repetition never came back: missing values must show as such.
  rows.back().moments[static_cast<std::size_t>(Moment::link_up)] = MomentValue{std::nullopt, "no link_up event, \"really\""};
  rows.back().segments = compute_segments(rows.back().moments);
  const auto truth = truth_of(plan);
  auto m = assemble("reconfig-latency <A & B>", rule, {clock}, std::move(rows), &truth, TruthOptions{}, std::move(excerpts));
  m.run_id = "r-1";
  return m;
}

// RFC 4180 fields of one line (quoted fields may hold commas and doubled quotes).
std::vector<std::string> csv_split(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

void collect(rx::xml_node<>* node, std::vector<rx::xml_node<>*>& out) {
  for (auto* child = node->first_node(); child != nullptr; child = child->next_sibling()) {
    if (child->type() == rx::node_element) out.push_back(child);
    collect(child, out);
  }
}

std::string attr(rx::xml_node<>* n, const char* name) {
  auto* a = n->first_attribute(name);
  return a != nullptr ? std::string(a->value(), a->value_size()) : std::string();
}

}  // namespace

TEST_CASE("CSV: a header and one row per repetition and port, missing cells empty") {
  const auto m = sample_measurement(3);
  const auto csv = render_csv(m);
  std::istringstream in(csv);
  std::string line;
  std::vector<std::vector<std::string>> lines;
  while (std::getline(in, line)) lines.push_back(csv_split(line));
  REQUIRE(lines.size() == 1 + 6);
  const auto& header = lines[0];
  CHECK(header[0] == "repetition");
  CHECK(header[1] == "port");
  const auto col = [&](std::string_view name) {
    auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
  };
  for (auto name : kMomentNames) col(std::string(name) + "_ns");
  for (const auto& s : kSegments) col(std::string(s.name) + "_ms");
  col("carrier_lost_to_link_up_error_ms");
  col("notes");
  for (std::size_t i = 1; i < lines.size(); ++i) CHECK(lines[i].size() == header.size());

  const auto& first = lines[1];
  CHECK(first[col("port")] == "h1:ocs0");
  CHECK(first[col("from_topology")] == "ring,A");
  const auto& row = m.rows[0].measured;
  CHECK(first[col("link_up_ns")] == std::to_string(row.moment(Moment::link_up).at->ns));
  CHECK(std::stod(first[col("cmd_to_link_up_ms")]) == Approx(static_cast<double>(row.segments[4].ns) / 1e6).margin(1e-6));
  CHECK(first[col("cmd_to_link_up_status")] == "ok");
  CHECK(std::stod(first[col("carrier_lost_to_link_up_error_ms")]) == Approx(0.0));

  const auto& last = lines.back();
  CHECK(last[col("link_up_ns")].empty());
  CHECK(last[col("cmd_to_link_up_ms")].empty());
  CHECK(last[col("cmd_to_link_up_status")] == "missing");
  CHECK(last[col("cmd_to_link_up_error_ms")].empty());
  CHECK_THAT(last[col("notes")], Catch::Contains("no link_up event, \"really\""));
}

TEST_CASE("HTML: well-formed, one CDF per segment, a timeline, self-contained") {
  const auto m = sample_measurement(4);
  auto html = render_html(m);
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("&lt;A &amp; B&gt;") != std::string::npos);  // the title, escaped

  std::vector<char> buffer(html.begin(), html.end());
  buffer.push_back('\0');
  rx::xml_document<> doc;
  REQUIRE_NOTHROW(doc.parse<rx::parse_validate_closing_tags>(buffer.data()));
  std::vector<rx::xml_node<>*> elements;
  collect(&doc, elements);
  std::multiset<std::string> cdf_segments;
  int timelines = 0, tables = 0;
  for (auto* e : elements) {
    const std::string name(e->name(), e->name_size());
    if (name == "svg" && attr(e, "class") == "cdf") cdf_segments.insert(attr(e, "data-segment"));
    if (name == "svg" && attr(e, "class") == "timeline") ++timelines;
    if (name == "table") ++tables;
  }
  std::multiset<std::string> expected;
  for (const auto& s : kSegments) expected.insert(std::string(s.name));
  CHECK(cdf_segments == expected);
  CHECK(timelines == 1);
  CHECK(tables >= 4);  // summary, truth, per port, clocks, rows
  // The sample's row that lost link_up fails the ground-truth check (it is counted, not dropped).
  CHECK(html.find("FAIL: 1 of 8 rows missing link_up") != std::string::npos);

  // Mismatched tags would have been refused: the parser really checks.
  std::string broken = "<html><body><p>x</body></html>";
  std::vector<char> b2(broken.begin(), broken.end());
  b2.push_back('\0');
  rx::xml_document<> doc2;
  CHECK_THROWS(doc2.parse<rx::parse_validate_closing_tags>(b2.data()));
}

TEST_CASE("HTML of a run with no data for a segment still draws its figure") {
  Measurement m;
  m.title = "empty";
  m.rule.line_rate_gbps = 10;
  PortInputs in;
  in.repetition = 1;
  in.port = "h1:ocs0";
  in.cmd_sent = coordinator_time(kT0);
  m.rows.push_back(MeasurementRow{compute_breakdown(in, m.rule), std::nullopt});
  auto html = render_html(m);
  std::vector<char> buffer(html.begin(), html.end());
  buffer.push_back('\0');
  rx::xml_document<> doc;
  REQUIRE_NOTHROW(doc.parse<rx::parse_validate_closing_tags>(buffer.data()));
  std::size_t count = 0;
  for (auto pos = html.find("class=\"cdf\""); pos != std::string::npos; pos = html.find("class=\"cdf\"", pos + 1)) ++count;
  CHECK(count == kSegmentCount);
  CHECK(html.find("no data") != std::string::npos);
}

TEST_CASE("terminal summary names every segment and the truth verdict") {
  const auto m = sample_measurement(3);
  const auto text = render_summary_text(m);
  for (const auto& s : kSegments) CHECK(text.find(std::string(s.name)) != std::string::npos);
  CHECK(text.find("3 repetitions x 2 ports") != std::string::npos);
  CHECK(text.find("ground truth:") != std::string::npos);
  CHECK(text.find("nearest-rank") != std::string::npos);
  // The row whose link_up was lost fails the check, counted in the verdict line; the line after
  // it says which moments the check speaks for and which it cannot.
  CHECK_THAT(text, Catch::Contains("ground truth: FAIL, 1 of 6 rows missing link_up; worst p99 |err|"));
  CHECK_THAT(text, Catch::Contains("checked against ground truth: cmd_sent, switch_ack, carrier_lost, link_up; "
                                   "not checked (no truth): identity_confirmed, traffic_full_rate"));
}

TEST_CASE("the report's ground-truth section counts the rows that lost a moment") {
  const auto m = sample_measurement(3);
  const auto html = render_html(m);
  CHECK_THAT(html, Catch::Contains("FAIL: 1 of 6 rows missing link_up"));
  CHECK_THAT(html, Catch::Contains("Not checked (the emulator has no truth for them): identity_confirmed, traffic_full_rate"));
}

TEST_CASE("the measurement document survives JSON and is found inside results.json") {
  const auto m = sample_measurement(3);
  const auto j = to_json(m);
  CHECK(j["format"] == kMeasurementFormat);
  CHECK(j["rows"].size() == 6);
  CHECK(j["rows"][5]["segments"]["cmd_to_link_up"]["status"] == "missing");
  CHECK_FALSE(j["rows"][5]["segments"]["cmd_to_link_up"].contains("ns"));
  CHECK(j["summary"]["segments"].size() == kSegmentCount);
  CHECK(j["ground_truth"]["segments"].size() == 5);

  // The truth verdict with its counts: the row that lost link_up is counted, not left out.
  CHECK(j["ground_truth"]["pass"] == false);
  CHECK(j["ground_truth"]["rows"] == 6);
  CHECK(j["ground_truth"]["missing_moments"]["link_up"] == 1);
  CHECK(j["ground_truth"]["checked_moments"] == nlohmann::json{"cmd_sent", "switch_ack", "carrier_lost", "link_up"});

  auto back = measurement_from_json(j);
  REQUIRE(back.has_value());
  CHECK(to_json(*back) == j);
  REQUIRE(back->truth_check);
  CHECK(back->truth_check->lost[static_cast<std::size_t>(Moment::link_up)] == 1);
  CHECK(render_csv(*back) == render_csv(m));

  // Derived figures are recomputed on reading: a tampered summary changes nothing.
  auto tampered = j;
  tampered["summary"]["segments"][0]["p50_ns"] = 1;
  tampered["rows"][0]["segments"]["cmd_to_ack"]["ns"] = 1;
  CHECK(to_json(*measurement_from_json(tampered)) == j);

  nlohmann::json results = {{"format", "mixnet-coord results"},
                            {"steps", {{{"module", "ocs.apply"}, {"result", nullptr}},
                                       {{"module", "measure.reconfig"}, {"result", {{"data", {{"measurement", j}}}}}}}}};
  auto found = find_measurement(results);
  REQUIRE(found.has_value());
  CHECK(*found == j);
  CHECK(find_measurement(nlohmann::json{{"steps", nlohmann::json::array()}}).error().code == mixnet::Errc::not_found);
}

TEST_CASE("a malformed measurement document is refused naming the path") {
  const auto j = to_json(sample_measurement(1));
  auto bad = j;
  bad["rows"][0]["moments"]["link_up"].erase("ns");
  auto r = measurement_from_json(bad);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().field == "measurement.rows[0].moments.link_up.ns");

  bad = j;
  bad["method"]["full_rate"]["threshold_fraction"] = 2.0;
  CHECK(measurement_from_json(bad).error().field == "measurement.method.full_rate.threshold_fraction");
  bad = j;
  bad["version"] = 99;
  CHECK(measurement_from_json(bad).error().field == "measurement.version");
  bad = j;
  bad["timelines"][0]["markers"]["lunch"] = 5;
  CHECK(measurement_from_json(bad).error().field == "measurement.timelines[0].markers.lunch");
}

TEST_CASE("the full-rate rule's reference and smoothing window survive JSON and show in the reports") {
  auto m = sample_measurement(1);
  m.rule.reference = Reference::settled;
  m.rule.window_ns = 10 * kMs;
  m.rule.baseline_window_ns = 400 * kMs;
  const auto j = to_json(m);
  CHECK(j["method"]["full_rate"]["reference"] == "settled");
  CHECK(j["method"]["full_rate"]["window_ns"] == 10 * kMs);
  auto back = measurement_from_json(j);
  REQUIRE(back.has_value());
  CHECK(back->rule.reference == Reference::settled);
  CHECK(back->rule.window_ns == 10 * kMs);
  CHECK(back->rule.baseline_window_ns == 400 * kMs);
  CHECK(to_json(*back) == j);

  // A document from before smoothing has no window_ns: each bin alone.
  auto old = to_json(sample_measurement(1));
  old["method"]["full_rate"].erase("window_ns");
  auto read_old = measurement_from_json(old);
  REQUIRE(read_old.has_value());
  CHECK(read_old->rule.window_ns == 0);
  CHECK(read_old->rule.reference == Reference::line);

  auto bad = j;
  bad["method"]["full_rate"]["window_ns"] = -1;
  CHECK(measurement_from_json(bad).error().field == "measurement.method.full_rate.window_ns");
  bad = j;
  bad["method"]["full_rate"]["window_ns"] = 1.5;
  CHECK(measurement_from_json(bad).error().field == "measurement.method.full_rate.window_ns");
  bad = j;
  bad["method"]["full_rate"]["reference"] = "median";
  auto refused = measurement_from_json(bad);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().field == "measurement.method.full_rate.reference");
  CHECK_THAT(refused.error().message, Catch::Contains("settled"));

  const auto html = render_html(m);
  CHECK(html.find("settled rate (mean over the timeline&#39;s last 400.000 ms)") != std::string::npos);
  CHECK(html.find("smoothed over 10.000 ms") != std::string::npos);
  const auto text = render_summary_text(m);
  CHECK(text.find("full rate: 90% of the settled rate") != std::string::npos);
  CHECK(text.find("smoothed over 10.000 ms") != std::string::npos);
  CHECK(render_summary_text(sample_measurement(1)).find("line rate (10.000 Gb/s) held for 20.000 ms, each bin judged alone") !=
        std::string::npos);
}

TEST_CASE("reports are written to a folder") {
  const auto dir = std::filesystem::temp_directory_path() / ("mixnet-measure-test-" + std::to_string(::getpid()));
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() { std::filesystem::remove_all(p); }
  } cleanup{dir};
  const auto m = sample_measurement(2);
  auto paths = write_reports(m, dir.string());
  REQUIRE(paths.has_value());
  std::ifstream html(paths->html);
  std::stringstream text;
  text << html.rdbuf();
  CHECK(text.str() == render_html(m));
  CHECK(std::filesystem::file_size(paths->csv) == render_csv(m).size());
  std::ifstream js(paths->json);
  CHECK(nlohmann::json::parse(js) == to_json(m));
}

TEST_CASE("a timeline excerpt spans the reconfiguration with its moments as markers") {
  const auto m = sample_measurement(1);
  REQUIRE(m.timelines.size() == 1);
  const auto& t = m.timelines[0];
  const auto& row = m.rows[0].measured;
  const auto cmd = row.moment(Moment::cmd_sent).at->ns;
  CHECK(t.start_ns == cmd - 100 * kMs);
  CHECK(t.bin_ns == kMs);
  CHECK(t.markers.size() == kMomentCount);  // every moment was seen in this row
  const auto back = row.moment(Moment::traffic_full_rate).at->ns;
  CHECK(t.start_ns + static_cast<std::int64_t>(t.gbps.size()) * t.bin_ns >= back + 200 * kMs);
  CHECK(t.gbps.front() == Approx(9.92));
  REQUIRE(t.reference_gbps);
  CHECK(*t.reference_gbps == Approx(10.0));
}

TEST_CASE("a repetition whose switch session was recovered is marked in every report") {
  auto m = sample_measurement(2);
  const std::string cause = "io: ENT-PATCH::1&2,17&18: the switch 127.0.0.1 closed the session";
  for (auto& r : m.rows)
    if (r.measured.repetition == 2) r.measured.switch_recovery = SwitchRecovery{1, cause, true};

  const auto j = to_json(m);
  for (const auto& row : j["rows"]) {
    const bool recovered = row["repetition"] == 2;
    CHECK(row["switch_recoveries"] == (recovered ? 1 : 0));
    CHECK(row.contains("switch_recovery_cause") == recovered);
    CHECK(row.contains("switch_ack_read_back") == recovered);
  }
  auto back = measurement_from_json(j);
  REQUIRE(back.has_value());
  CHECK(to_json(*back) == j);
  CHECK(back->rows.back().measured.switch_recovery.cause == cause);
  CHECK(back->rows.back().measured.switch_recovery.ack_is_read_back);

  // A document from before the field: no recovery.
  auto old = j;
  for (auto& row : old["rows"]) {
    row.erase("switch_recoveries");
    row.erase("switch_recovery_cause");
    row.erase("switch_ack_read_back");
  }
  auto read_old = measurement_from_json(old);
  REQUIRE(read_old.has_value());
  for (const auto& r : read_old->rows) CHECK(r.measured.switch_recovery.count == 0);
  auto bad = j;
  bad["rows"][0]["switch_recoveries"] = -1;
  CHECK(measurement_from_json(bad).error().field == "measurement.rows[0].switch_recoveries");
  bad = j;
  bad["rows"][3]["switch_ack_read_back"] = "yes";
  CHECK(measurement_from_json(bad).error().field == "measurement.rows[3].switch_ack_read_back");

  std::istringstream in(render_csv(m));
  std::string line;
  std::vector<std::vector<std::string>> lines;
  while (std::getline(in, line)) lines.push_back(csv_split(line));
  REQUIRE(lines.size() == 1 + 4);
  const auto& header = lines[0];
  const auto col = [&](std::string_view name) {
    auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
  };
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const bool recovered = lines[i][col("repetition")] == "2";
    CHECK(lines[i][col("switch_recoveries")] == (recovered ? "1" : "0"));
    CHECK((lines[i][col("notes")].find(cause) != std::string::npos) == recovered);
  }

  const auto html = render_html(m);
  std::size_t marked = 0;
  for (auto at = html.find(">recovered (1)<"); at != std::string::npos; at = html.find(">recovered (1)<", at + 1)) ++marked;
  CHECK(marked == 2);   // both ports of repetition 2
  CHECK(html.find("closed the session; switch_ack is a read-back") != std::string::npos);
  CHECK(render_summary_text(m).find("switch session recovered in repetition(s) 2:") != std::string::npos);
  CHECK(render_summary_text(sample_measurement(2)).find("switch session recovered") == std::string::npos);
}
