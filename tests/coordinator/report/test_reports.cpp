// results.json and JUnit XML from the store: well-formed, complete, honest about failures and
// about incomplete runs.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/coordinator/support/coord_fakes.hpp"
#include "coordinator/report/json_report.hpp"
#include "coordinator/report/junit.hpp"
#include "coordinator/report/progress.hpp"
#include "coordinator/report/run_reports.hpp"
#include "coordinator/store/store.hpp"
#include "tests/support/text_file.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::testing;

namespace {

using mixnet::testing::count_of;

// A strict-enough XML well-formedness check: balanced, properly nested elements, quoted
// attributes, only the five predefined entities, and nothing but a prolog before the root.
bool well_formed(const std::string& xml, std::string* why) {
  std::vector<std::string> open;
  std::size_t i = 0;
  bool root_seen = false;
  auto bad = [&](const std::string& w) { *why = w + " at offset " + std::to_string(i); return false; };
  while (i < xml.size()) {
    if (xml[i] == '<') {
      if (xml.compare(i, 5, "<?xml") == 0) {
        const auto end = xml.find("?>", i);
        if (end == std::string::npos || i != 0) return bad("bad prolog");
        i = end + 2;
        continue;
      }
      const auto end = xml.find('>', i);
      if (end == std::string::npos) return bad("unterminated tag");
      std::string tag = xml.substr(i + 1, end - i - 1);
      const bool closing = !tag.empty() && tag[0] == '/';
      const bool self_closing = !tag.empty() && tag.back() == '/';
      if (closing) tag = tag.substr(1);
      if (self_closing) tag.pop_back();
      const auto name = tag.substr(0, tag.find_first_of(" \t\n"));
      if (name.empty()) return bad("empty tag name");
      // Attributes: name="value" pairs with no raw '<' or '&' that is not an entity.
      std::string attrs = tag.substr(name.size());
      std::size_t q = 0;
      int quotes = 0;
      for (char c : attrs) quotes += c == '"';
      if (quotes % 2 != 0) return bad("unbalanced quotes in <" + name + ">");
      while ((q = attrs.find('<', q)) != std::string::npos) return bad("raw '<' in attribute");
      if (closing) {
        if (open.empty() || open.back() != name) return bad("mismatched </" + name + ">");
        open.pop_back();
      } else if (!self_closing) {
        if (open.empty() && root_seen) return bad("second root element");
        open.push_back(name);
        root_seen = true;
      } else if (open.empty()) {
        return bad("self-closing root");
      }
      i = end + 1;
    } else if (xml[i] == '&') {
      static const char* entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
      bool ok = false;
      for (const auto* e : entities) ok = ok || xml.compare(i, std::strlen(e), e) == 0;
      if (!ok) return bad("bad entity");
      ++i;
    } else {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) return bad("text outside the root");
      ++i;
    }
  }
  if (!open.empty()) return bad("unclosed <" + open.back() + ">");
  return root_seen || bad("no root");
}

RunDetail sample_run(const std::string& db, const std::string& run_id) {
  auto store = ResultsStore::open(db);
  REQUIRE(store.has_value());
  FakeLog log;
  const auto registry = fake_registry(log);
  const auto inv = two_host_inventory();
  const TopologySet topologies;
  auto pb = parse_playbook(R"(
name: "bring <up> & \"verify\""
steps:
  - name: verify <links>
    fake.items: {key: v, id: "h2:p0", by_call: [dark, miswired], items: [{id: "h1:p0", status: ok, message: "peer h2:p0 & fine"}]}
    retries: 1
    delay: 0
  - {name: skipped one, fake.echo: {}, when: "false"}
  - {name: ignored, fake.flaky: {fail_times: 1}, ignore_errors: true}
)",
                           "pb.yaml", "", registry);
  REQUIRE(pb.has_value());
  StoreObserver observer(**store, RunRow{.playbook = "pb.yaml", .inventory = "inv.yaml"});
  Engine engine(registry, inv, topologies);
  engine.add_observer(&observer);
  RunOptions opts;
  opts.run_id = run_id;
  engine.run(*pb, opts);
  auto detail = (*store)->load_run(run_id);
  REQUIRE(detail.has_value());
  return *detail;
}

struct ReportsTempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("mixnet-reports-" + std::to_string(getpid()));
  ReportsTempDir() { std::filesystem::remove_all(path); }
  ~ReportsTempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("results.json carries the run, every step and every item with its attempt") {
  ReportsTempDir dir;
  const auto detail = sample_run((dir.path / "r.db").string(), "json-run");
  auto written = write_results_json(detail, (dir.path / "out").string());
  REQUIRE(written.has_value());
  std::ifstream in(*written);
  const auto j = nlohmann::json::parse(in);   // throws (fails the test) when not JSON
  CHECK(j["run"]["id"] == "json-run");
  CHECK(j["run"]["status"] == "failed");
  CHECK(j["run"]["failed_hosts"] == nlohmann::json::array({"h2"}));
  REQUIRE(j["steps"].size() == 3);
  const auto& verify = j["steps"][0];
  CHECK(verify["status"] == "partial");
  CHECK(verify["attempts"] == 2);
  REQUIRE(verify["items"].size() == 4);   // two attempts, two items each
  CHECK(verify["items"][1]["status"] == "dark");
  CHECK(verify["items"][1]["final"] == false);
  CHECK(verify["items"][3]["status"] == "miswired");
  CHECK(verify["items"][3]["final"] == true);
  CHECK(j["steps"][1]["status"] == "skipped");
  CHECK(j["steps"][2]["status"] == "ignored");
  CHECK_FALSE(std::filesystem::exists(*written + ".tmp"));
}

TEST_CASE("JUnit XML is well-formed, with a testcase per step and per final item") {
  ReportsTempDir dir;
  const auto detail = sample_run((dir.path / "r.db").string(), "junit-run");
  const auto xml = junit_xml(detail);
  std::string why;
  INFO(xml);
  REQUIRE(well_formed(xml, &why));
  CHECK(why.empty());
  CHECK(count_of(xml, "<testcase ") == 5);   // 3 steps + 2 items of verify's final attempt
  CHECK(count_of(xml, "<failure ") == 2);    // the partial step and the miswired port
  CHECK(count_of(xml, "<skipped ") == 1);
  CHECK(xml.find("tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"1\"") != std::string::npos);
  CHECK(xml.find("name=\"port h2:p0\"") != std::string::npos);
  CHECK(xml.find("bring &lt;up&gt; &amp; &quot;verify&quot;") != std::string::npos);
  CHECK(xml.find("message=\"miswired") != std::string::npos);
  auto written = write_junit(detail, (dir.path / "out").string());
  REQUIRE(written.has_value());
  CHECK(std::filesystem::file_size(*written) == xml.size());
}

TEST_CASE("the reports written from the store one step at a time are the whole run's text") {
  ReportsTempDir dir;
  const auto db = (dir.path / "r.db").string();
  const auto detail = sample_run(db, "stream-run");
  auto store = ResultsStore::open(db);
  REQUIRE(store.has_value());
  auto run = (*store)->load_run_steps("stream-run");
  REQUIRE(run.has_value());
  auto written = write_run_reports(**store, *run, (dir.path / "streamed").string());
  REQUIRE(written.has_value());
  CHECK(mixnet::testing::read_all(written->results_json) == run_to_json(detail).dump(2) + "\n");
  CHECK(mixnet::testing::read_all(written->junit) == junit_xml(detail));
  // The result of the step with retries lists its final attempt's items, put back from the store.
  const auto j = nlohmann::json::parse(mixnet::testing::read_all(written->results_json));
  const auto& verify = j["steps"][0];
  REQUIRE(verify["result"]["items"].size() == 2);
  CHECK(verify["result"]["items"][1] == nlohmann::json({{"kind", "port"}, {"id", "h2:p0"}, {"status", "miswired"}, {"message", ""},
                                                        {"data", nlohmann::json::object()}, {"hosts", {"h2"}}}));
  // A run with no steps (and one the store does not have).
  RunDetail empty;
  empty.run.id = "empty";
  empty.run.status = "passed";
  std::ostringstream text;
  LoadedRunItems none(empty);
  REQUIRE(write_results_json(text, steps_of(empty), none).has_value());
  CHECK(text.str() == run_to_json(empty).dump(2) + "\n");
  CHECK((*store)->load_run_steps("no-such-run").error().code == Errc::not_found);
}

TEST_CASE("an incomplete run's JUnit says so with an error") {
  RunDetail detail;
  detail.run.id = "r";
  detail.run.status = "running";
  detail.run.hostname = "elsewhere";   // cannot be checked: still running
  detail.steps.push_back(StepRow{.seq = 0, .section = "steps", .name = "s", .module = "m", .status = "running"});
  const auto xml = junit_xml(detail);
  std::string why;
  REQUIRE(well_formed(xml, &why));
  CHECK(count_of(xml, "<error ") == 2);   // the unfinished step and the run itself
}

TEST_CASE("xml_escape drops control characters XML cannot hold") {
  CHECK(xml_escape("a\x01<b>") == "a?&lt;b&gt;");
}

TEST_CASE("plain progress lines name the step, its verdict and failed items") {
  ReportsTempDir dir;
  std::filesystem::create_directories(dir.path);
  const auto path = (dir.path / "progress.txt").string();
  std::FILE* f = std::fopen(path.c_str(), "w+");
  REQUIRE(f != nullptr);
  {
    FakeLog log;
    const auto registry = fake_registry(log);
    const auto inv = two_host_inventory();
    const TopologySet topologies;
    auto pb = parse_playbook("steps:\n  - {name: v, fake.items: {items: [{id: \"h1:p0\"}, {id: \"h2:p0\", status: dark}]}}\n", "pb.yaml", "", registry);
    REQUIRE(pb.has_value());
    ProgressObserver progress(f, false);
    Engine engine(registry, inv, topologies);
    engine.add_observer(&progress);
    RunOptions opts;
    opts.run_id = "p";
    engine.run(*pb, opts);
  }
  std::fclose(f);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const auto out = text.str();
  CHECK(out.find("[1/1] v (fake.items) ...\n") != std::string::npos);
  CHECK(out.find("    port h2:p0: dark\n") != std::string::npos);
  CHECK(out.find("[1/1] v: PARTIAL") != std::string::npos);
  CHECK(out.find("1/2 items ok") != std::string::npos);
  CHECK(out.find("run FAILED") != std::string::npos);
  CHECK(out.find("\033[") == std::string::npos);   // no terminal codes in plain mode
}
