// The ready reconfig-latency playbook on a whole lab (fast profile): every moment of every
// changing port is measured in every repetition, the measured breakdown agrees with the
// emulator's ground truth (the measurement library's own check, issue 6; bound below), and
// the run folder holds the CSV (a row per repetition and port) and a self-contained HTML report.
// All of it while two busy processes compete for the cores, with no priority raised from outside.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <sched.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "coordinator/measure/measurement_doc.hpp"
#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/support/busy_processes.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The measurement document inside results.json (the measure step's data).
const nlohmann::json* find_measurement(const nlohmann::json& j) {
  if (j.is_object()) {
    if (j.value("format", "") == "mixnet reconfig-measurement") return &j;
    for (const auto& [k, v] : j.items()) {
      if (const auto* hit = find_measurement(v)) return hit;
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (const auto* hit = find_measurement(v)) return hit;
    }
  }
  return nullptr;
}

// The scheduling policy of every thread of the lab's processes (its agents and emulator: command
// lines under the lab's folder), by thread name.
std::multimap<std::string, int> lab_thread_policies(const std::string& lab_dir) {
  std::multimap<std::string, int> out;
  for (const auto& proc : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = proc.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_file(proc.path().string() + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(lab_dir + "/") == std::string::npos) continue;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(proc.path() / "task", ec)) {
      std::string comm = read_file(task.path().string() + "/comm");
      if (!comm.empty() && comm.back() == '\n') comm.pop_back();
      out.emplace(comm, sched_getscheduler(std::stoi(task.path().filename().string())));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("coord lab: reconfig-latency measures every port and agrees with the ground truth", "[coord][lab][measure]") {
  // Nothing here raises a priority: the lab's stamping threads take SCHED_FIFO themselves (the
  // agents' netlink/probe thread and carrier poller, every emulator thread), and so does the
  // coordinator's; this test process and what it starts run at normal priority.
  REQUIRE(sched_getscheduler(0) == SCHED_OTHER);
  LabUnderTest lab("");
  const auto policies = lab_thread_policies(lab.dir());
  CHECK(policies.count("mixnet-agent") >= 4);     // each agent's main thread (netlink reader, probe receiver)
  CHECK(policies.count("mx-carrier") == 4);       // each agent's carrier poller
  CHECK(policies.count("mixnet-ocs-emu") >= 3);   // the emulator's main, io, plane and timer threads
  for (const auto& [thread, policy] : policies) {
    INFO("lab thread " << thread);
    if (thread == "mixnet-agent" || thread == "mx-carrier" || thread == "mixnet-ocs-emu") CHECK(policy == SCHED_FIFO);
  }
  CoordScratch scratch;
  // The issue's target: the measured breakdown agrees with the emulator's ground truth within
  // 1 ms at p99 (fast profile). The agents read their ports' carrier transition counters every
  // 100 us after a change (the lab's default --carrier-poll-us) besides netlink, whose announcements a busy
  // kernel can delay by milliseconds; bench/measure-accuracy.sh prints the figures. 20 repetitions
  // (240 rows): nearest-rank p99 is then not simply the worst row.
  // Under the sanitizers every agent, the emulator and the coordinator run several times slower
  // (each carrier reading, clock sample and acknowledgement stamp waits on instrumented code), so
  // that build runs the same comparison in full, with a bound that proves the matching and the
  // arithmetic but not the product's accuracy, which the normal build's pass holds to 1 ms.
  // Their streams cannot be held to a rate there: beside the fuzz build and the busy loops below,
  // instrumented agents missed the 50 ms full-rate hold on 4 and then 8 of 60 rows (fresh-clone
  // runs, even with the streams running 2 s past the last verified link), and on every run at
  // 100 Mb/s with two more niced loops. So that build measures without streams (the playbook's
  // `traffic=false`: no traffic segments); the normal build's pass holds the traffic segments.
#if defined(__SANITIZE_ADDRESS__)
  constexpr int kReps = 5;
  constexpr int kTruthBoundMs = 25;
  constexpr bool kTraffic = false;
#else
  constexpr int kReps = 20;
  constexpr int kTruthBoundMs = 1;
  constexpr bool kTraffic = true;
#endif
  const std::string kTrafficGbps = "0.25";
  // Six paced streams: 250 Mb/s each keeps them inside what the agents send on two shared cores,
  // so the check is about the measurement, not the CPU.
  // A host whose cores are taken, as by a training job: two processes at normal priority spin on
  // the two cores for the whole run (killed and reaped when this scope ends, failed or not; each
  // ends itself after 5 minutes regardless). The bound must hold through them.
  mixnet::testing::BusyProcesses busy(2, std::chrono::minutes(5));
  // The playbook's own identity mode (at_link_up: each link probed the moment both ends are up,
  // so the agents serve probes while other ports' carrier events arrive): the mode people run is
  // the mode this bound covers.
  const auto run = scratch.run(std::string(MIXNET_SOURCE_DIR) + "/playbooks/reconfig-latency.yaml", lab.dir() + "/inventory.yaml",
                               "-e reps=" + std::to_string(kReps) + " -e truth_bound_ms=" +
                                   std::to_string(kTruthBoundMs) + " -e traffic_rate_gbps=" + kTrafficGbps +
                                   " -e traffic=" + (kTraffic ? "true" : "false"));
  INFO(run.output);
  CHECK(busy.running() == 2);   // the load lasted the whole run
  // The run passes only when every port was measured and the ground-truth check passed; the
  // checks below say which part did not.
  CHECK(run.exit_code == 0);
  REQUIRE(run.results.is_object());
  CHECK(run.results.at("run").at("status") == "passed");

  const nlohmann::json* doc = find_measurement(run.results);
  REQUIRE(doc != nullptr);
  // Every agent's carrier poller was armed for its changing ports (the lab's agents poll; idle,
  // they read nothing): three OCS ports on each of the four hosts.
  INFO(doc->at("carrier_poll").dump());
  REQUIRE(doc->at("carrier_poll").size() == 4);
  for (const auto& [host, armed] : doc->at("carrier_poll").items()) {
    INFO(host);
    CHECK(armed.at("ports") == 3);
    CHECK(armed.at("period_us") == 100);
  }
  const auto& rows = doc->at("rows");
  // mesh <-> ring: all 12 OCS ports change circuit in every repetition.
  REQUIRE(rows.size() == static_cast<std::size_t>(kReps) * 12);
  std::set<std::pair<int, std::string>> seen;
  for (const auto& row : rows) {
    const int rep = row.at("repetition");
    const std::string port = row.at("port");
    INFO(rep << " " << port << ": " << row.dump().substr(0, 2000));
    seen.insert({rep, port});
    CHECK(row.at("to_topology") == (rep % 2 == 1 ? "ring" : "mesh"));
    std::vector<std::string> expected_segments{"cmd_to_ack",     "cmd_to_carrier_lost", "ack_to_carrier_lost", "carrier_lost_to_link_up",
                                               "cmd_to_link_up", "link_up_to_identity"};
    if (kTraffic) expected_segments.insert(expected_segments.end(), {"link_up_to_traffic", "cmd_to_traffic"});
    for (const auto& seg : expected_segments) {
      INFO(seg);
      REQUIRE(row.at("segments").contains(seg));
      CHECK(row.at("segments").at(seg).at("status") == "ok");
    }
    // Traffic came back over the new circuit after the link did (a TCP stream needs both ends
    // up, ARP and a handshake): the moment sits on a full bin and never before either link up,
    // so no uncertainty is needed to see it, and its own uncertainty is about one bin.
    const auto& segs = row.at("segments");
    if (kTraffic && segs.at("cmd_to_traffic").at("status") == "ok" && segs.at("cmd_to_link_up").at("status") == "ok") {
      CHECK(segs.at("cmd_to_traffic").at("ns").get<std::int64_t>() >= segs.at("cmd_to_link_up").at("ns").get<std::int64_t>());
      CHECK(row.at("moments").at("traffic_full_rate").at("uncertainty_ns").get<std::int64_t>() <= 2'000'000);
    }
    // Matched to the emulator's records of this repetition, with an error per segment.
    REQUIRE(row.contains("truth"));
    CHECK_FALSE(row.at("truth").at("change_ids").empty());
    CHECK(row.at("truth").at("error_ns").size() == 5);
  }
  CHECK(seen.size() == rows.size());   // one row per repetition and port

  // The proof: the library's check against the ground truth, kTruthBoundMs at p99 on every segment.
  const auto& gt = doc->at("ground_truth");
  INFO(gt.dump(1));
  REQUIRE(gt.is_object());
  CHECK(gt.at("bound_ns") == kTruthBoundMs * 1'000'000);
  CHECK(gt.at("pass") == true);
  CHECK(gt.at("segments").size() == 5);
  // Every row judged: none lost a moment the truth has, none out of order.
  CHECK(gt.at("rows") == kReps * 12);
  CHECK(gt.at("unmatched") == 0);
  for (const auto& [moment, lost] : gt.at("missing_moments").items()) CHECK(lost == 0);
  for (const auto& s : gt.at("segments")) {
    CHECK(s.at("rows") == kReps * 12);
    CHECK(s.at("pairs") == kReps * 12);
    CHECK(s.at("missing") == 0);
    CHECK(s.at("inconsistent") == 0);
  }

  // The document reads back with the library (which recomputes every derived figure from the
  // moments), and the recomputed verdict is the one written.
  auto found = mixnet::coord::measure::find_measurement(run.results);
  REQUIRE(found.has_value());
  auto reread = mixnet::coord::measure::measurement_from_json(*found);
  INFO((reread ? std::string() : reread.error().describe()));
  REQUIRE(reread.has_value());
  CHECK(reread->rows.size() == rows.size());
  REQUIRE(reread->truth_check.has_value());
  CHECK(reread->truth_check->pass == gt.at("pass").get<bool>());

  // Clock alignment: one offset per agent, consistent, and each within its stated uncertainty of
  // the truth, 0: the lab's namespaces all read the host's one CLOCK_REALTIME.
  CHECK(doc->at("clocks").size() == 4);
  for (const auto& c : doc->at("clocks")) {
    INFO(c.dump());
    CHECK(c.at("consistent") == true);
    CHECK(std::llabs(c.at("offset_ns").get<std::int64_t>()) <= c.at("uncertainty_ns").get<std::int64_t>());
  }

  // Reports in the run folder.
  const std::string out = scratch.dir() + "/run";
  const auto csv = read_file(out + "/measurement.csv");
  std::size_t lines = 0;
  for (char c : csv) lines += c == '\n' ? 1 : 0;
  CHECK(lines == 1 + static_cast<std::size_t>(kReps) * 12);   // header + a row per repetition and port
  CHECK(csv.rfind("repetition,port,", 0) == 0);
  const auto html = read_file(out + "/report.html");
  REQUIRE_FALSE(html.empty());
  std::set<std::string> cdf_segments;
  const std::regex cdf(R"re(<svg[^>]*class="cdf"[^>]*data-segment="([a-z_]+)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), cdf); it != std::sregex_iterator(); ++it) cdf_segments.insert((*it)[1]);
  CHECK(cdf_segments.size() == 8);   // one CDF figure per segment
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(std::filesystem::exists(out + "/measurement.json"));

  // always: the switch was left empty.
  CHECK(nlohmann::json::parse(lab.control("/v1/connections").body).empty());
}
