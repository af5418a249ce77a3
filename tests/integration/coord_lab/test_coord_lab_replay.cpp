// measure.replay on whole labs whose data ports are shaped to one line rate (mixnet-lab
// --line-rate-mbit), through the shipped playbook as users run it: every mode and layer delivers
// every byte; the bytes planned on circuits and on the electrical switch are those of the quality
// model; no layer completes faster than its links allow (a lower bound on time that load cannot
// break: load only slows a layer down); the reports are written and the store has the run. On
// the 32-host lab the layer's ~1000 transfers exceed what the agents run at once, so the
// dispatcher's queueing is exercised. These check behaviour, not speed: bench/moe-replay.sh
// prints the figures.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;

namespace {

const std::string kReplayPlaybook = std::string(MIXNET_SOURCE_DIR) + "/playbooks/moe-replay.yaml";

std::string replay_file(const CoordScratch& scratch, const std::string& run, const std::string& name) {
  std::ifstream in(scratch.dir() + "/" + run + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every layer of every mode delivered, with the quality model's split, and no faster than its links.
void check_replay_layers(const nlohmann::json& data, std::size_t modes, std::size_t layers) {
  const auto& all = data.at("layers");
  REQUIRE(all.size() == modes * layers);
  for (const auto& l : all) {
    INFO(l.dump());
    CHECK(l.at("ok") == true);
    CHECK(l.at("failed_flows") == 0);
    CHECK(l.at("flows").get<int>() > 0);
    const double network = l.at("network_bytes").get<double>();
    CHECK(l.at("circuit_bytes").get<double>() + l.at("eps_bytes").get<double>() == Approx(network).epsilon(1e-6));
    if (l.at("mode") == "electrical") CHECK(l.at("circuit_bytes").get<double>() == 0);
    // The shaped links bound the layer from below; 0.8: TCP's start and tbf's burst let a short
    // layer run a little ahead of the steady-rate model.
    CHECK(l.at("completion_s").get<double>() >= 0.8 * l.at("estimate_s").get<double>());
  }
}

}  // namespace

TEST_CASE("coord lab: moe-replay on the default lab shaped to 100 Mbit/s", "[coord][lab][replay]") {
  LabUnderTest lab("--line-rate-mbit 100");
  CoordScratch scratch;
  const auto run = scratch.run(kReplayPlaybook, lab.dir() + "/inventory.yaml", "-e layers=2 -e layer_seconds=0.4", "replay");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto& step = run.step("replay the trace");
  const auto& data = step.at("result").at("data");
  // The line rate came from the inventory the lab wrote (expect.speed_mbps), not from the playbook.
  CHECK(data.at("setup").at("line_rate_gbps").get<double>() == Approx(0.1));
  CHECK(data.at("setup").at("line_rate_source") == "expect.speed_mbps");
  check_replay_layers(data, 3, 2);
  // Six items, one per mode and layer.
  CHECK(step.at("items").size() == 6);
  CHECK(run.item("replay the trace", "electrical layer 1").at("status") == "ok");
  // The reports: a CSV row per mode and layer, the HTML page with its figures.
  const auto csv = replay_file(scratch, "replay", "replay.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 7);
  CHECK(replay_file(scratch, "replay", "replay.html").find("<svg") != std::string::npos);
  // And the store has the run.
  const auto listed = scratch.command("results list --db " + scratch.db());
  CHECK(listed.output.find("moe-replay") != std::string::npos);
}

TEST_CASE("coord lab: moe-replay on the 32-host lab, one layer, more transfers than the agents run at once", "[coord][lab][replay]") {
  LabUnderTest lab("--hosts 32 --ocs-ports 6 --eps-ports 2 --line-rate-mbit 20");
  CoordScratch scratch;
  std::string hosts;
  for (int i = 1; i <= 32; ++i) hosts += fmt::format("{}h{}", i > 1 ? "," : "", i);
  const std::string trace = scratch.dir() + "/trace32.json";
  const auto made = scratch.command(fmt::format("trace generate --hosts {} --experts 64 --layers 1 --seed 5 -o {}", hosts, trace));
  REQUIRE(made.exit_code == 0);
  const auto run = scratch.run(kReplayPlaybook, lab.dir() + "/inventory.yaml",
                               fmt::format("-e trace={} -e layer_seconds=1.5 -e link_deadline_s=60", trace), "replay32");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto& data = run.step("replay the trace").at("result").at("data");
  check_replay_layers(data, 3, 1);
  // A host sends to 31 others: far more transfers than 16 runs per agent.
  for (const auto& l : data.at("layers")) CHECK(l.at("flows").get<int>() > 32 * 16);
}
