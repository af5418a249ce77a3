// traffic.run on a whole lab (fast profile), through mixnet-coord as users run it: every circuit
// of the mesh carries TCP after ocs.apply + links.verify (its receivers in copy mode: the sink
// argument reaches the agents); a port capped at 50 Mbit/s fails its threshold with the figure in
// the message while the other circuits pass; the eps pattern runs
// every pair of electrical ports in circle-method rounds; and transport rdma, which the lab's
// ports cannot do, fails with a message naming the host and the port instead of running TCP.
// An agent that is gone fails only its own host's pairs.
// Durations are short (1 s): these check behaviour, not speed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>

#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/support/netns.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;

namespace {

const char* kMeshCircuits[] = {"h1:ocs0-h2:ocs0", "h1:ocs1-h3:ocs0", "h1:ocs2-h4:ocs0",
                               "h2:ocs1-h3:ocs1", "h2:ocs2-h4:ocs1", "h3:ocs2-h4:ocs2"};

// The final verdicts of a step's items, by id.
std::map<std::string, nlohmann::json> final_items(const CoordRun& run, const std::string& step) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& it : run.step(step).at("items")) {
    if (it.value("final", true)) out[it.at("id").get<std::string>()] = it;
  }
  return out;
}

}  // namespace

TEST_CASE("coord lab: traffic.run over the mesh's circuits passes with Gb/s per circuit", "[coord][lab][traffic]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto playbook = scratch.write_playbook("traffic.yaml", R"(
name: mesh traffic
topologies: [prototype.yaml]
steps:
  - {name: apply mesh, ocs.apply: {topology: mesh}}
  - {name: verify mesh, links.verify: {deadline: 10}}
  - name: traffic
    traffic.run: {duration: 1, streams: 2, sink: copy}
    register: t
  - name: figures usable later
    assert:
      that:
        - "t.data.circuits['h1:ocs0-h2:ocs0'].gbps > 0"
        - "t.data.total_gbps > 0"
        - "t.data.counts.ok == 6"
always:
  - {name: clear, ocs.clear: {}}
)");
  const auto run = scratch.run(playbook, lab.dir() + "/inventory.yaml");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  REQUIRE(run.results.at("run").at("status") == "passed");
  const auto& step = run.step("traffic");
  INFO(step.dump(1).substr(0, 4000));
  CHECK(step.at("status") == "ok");
  const auto items = final_items(run, "traffic");
  for (const char* id : kMeshCircuits) {
    INFO(id);
    REQUIRE(items.contains(id));
    const auto& c = items.at(id);
    CHECK(c.at("kind") == "circuit");
    CHECK(c.at("status") == "ok");
    CHECK(c.at("data").at("gbps").get<double>() > 0);
    const std::string a = c.at("data").at("a"), b = c.at("data").at("b");
    CHECK(c.at("hosts") == nlohmann::json::array({a.substr(0, a.find(':')), b.substr(0, b.find(':'))}));
    const auto& flow = c.at("data").at("flows").at(0);
    CHECK(flow.at("bytes").get<std::uint64_t>() > 0);
    CHECK(flow.at("bytes_confirmed") == flow.at("bytes"));   // every byte arrived
    CHECK(flow.at("streams") == 2);
    CHECK(flow.at("server_bytes") == flow.at("bytes"));
    CHECK(flow.at("server_sink") == "copy");   // the receivers copied, as the playbook asked
    CHECK(step.at("result").at("data").at("circuits").at(id).at("gbps").get<double>() > 0);
  }
  // One port verdict per OCS port of the mesh: 12, each having sent or received.
  int ports = 0;
  for (const auto& [id, it] : items) {
    if (it.at("kind") != "port") continue;
    ++ports;
    INFO(id);
    CHECK(it.at("status") == "ok");
    CHECK((it.at("data").contains("tx_gbps") || it.at("data").contains("rx_gbps")));
  }
  CHECK(ports == 12);
  CHECK(run.step("figures usable later").at("status") == "ok");
}

TEST_CASE("coord lab: a port capped at 50 Mbit/s fails its threshold, only its circuit fails", "[coord][lab][traffic]") {
  LabUnderTest lab("");
  const auto cap = lab.fault("cap h1:ocs0 --mbit 50");
  INFO(cap.output);
  REQUIRE(cap.exit_code == 0);
  CoordScratch scratch;
  // The lab's veths claim 10 Gb/s; line_rate_gbps (which wins) puts the bar at 0.2 Gb/s, far
  // above the cap and far below what an uncapped lab circuit carries.
  const auto playbook = scratch.write_playbook("capped.yaml", R"(
name: capped
topologies: [prototype.yaml]
steps:
  - {name: apply mesh, ocs.apply: {topology: mesh}}
  - {name: verify mesh, links.verify: {deadline: 10}}
  - {name: traffic, traffic.run: {duration: 1, threshold: 0.2, line_rate_gbps: 1}}
always:
  - {name: clear, ocs.clear: {}}
)");
  const auto run = scratch.run(playbook, lab.dir() + "/inventory.yaml");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.results.at("run").at("status") == "failed");
  const auto& step = run.step("traffic");
  INFO(step.dump(1).substr(0, 4000));
  CHECK(step.at("status") == "partial");
  const auto items = final_items(run, "traffic");
  const auto& capped = items.at("h1:ocs0-h2:ocs0");
  CHECK(capped.at("status") == "failed");
  const std::string message = capped.at("message");
  CHECK(message.find("h1:ocs0 -> h2:ocs0") != std::string::npos);
  CHECK(message.find("below the threshold 0.2 Gb/s") != std::string::npos);
  CHECK(message.find("from line_rate_gbps") != std::string::npos);
  const double gbps = capped.at("data").at("gbps").get<double>();
  CHECK(gbps > 0);
  CHECK(gbps < 0.2);
  // The figure itself is in the message ("0.0482 Gb/s, below ...").
  CHECK(message.find(" Gb/s, below") != std::string::npos);
  for (const char* id : kMeshCircuits) {
    if (std::string(id) == "h1:ocs0-h2:ocs0") continue;
    INFO(id);
    CHECK(items.at(id).at("status") == "ok");
    CHECK(items.at(id).at("data").at("gbps").get<double>() >= 0.2);
  }
  // The capped circuit's two ports fail; every other port passes.
  CHECK(items.at("h1:ocs0").at("status") == "failed");
  CHECK(items.at("h2:ocs0").at("status") == "failed");
  CHECK(items.at("h1:ocs0").at("data").at("tx_gbps").get<double>() < 0.2);   // the figure stays with the port
  CHECK(items.at("h2:ocs0").at("data").at("rx_gbps").get<double>() < 0.2);
  for (const char* id : {"h1:ocs1", "h1:ocs2", "h2:ocs1", "h2:ocs2", "h3:ocs0", "h4:ocs2"}) {
    INFO(id);
    CHECK(items.at(id).at("status") == "ok");
  }
  const auto failed = run.results.at("run").at("failed_hosts");
  CHECK(failed == nlohmann::json::array({"h1", "h2"}));
}

TEST_CASE("coord lab: the eps pattern runs every pair of electrical ports in rounds", "[coord][lab][traffic]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto playbook = scratch.write_playbook("eps.yaml", R"(
name: electrical all pairs
topologies: [prototype.yaml]
steps:
  - {name: all pairs, traffic.run: {pattern: eps, duration: 1}}
  - name: chosen pairs both ways
    traffic.run:
      pattern: pairs
      pairs: ["h1:eps0 - h3:eps0", [h2:eps0, h4:eps0]]
      direction: both
      duration: 1
)");
  const auto run = scratch.run(playbook, lab.dir() + "/inventory.yaml");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto& step = run.step("all pairs");
  INFO(step.dump(1).substr(0, 4000));
  // Four ports on one switch: 3 rounds of 2 disjoint pairs, every pair once.
  const auto& rounds = step.at("result").at("data").at("rounds");
  REQUIRE(rounds.size() == 3);
  std::set<std::string> pairs;
  for (const auto& round : rounds) {
    CHECK(round.size() == 2);
    std::set<std::string> ports_in_round;
    for (const auto& id : round) {
      const std::string s = id;
      pairs.insert(s);
      const auto dash = s.find("-h");
      CHECK(ports_in_round.insert(s.substr(0, dash)).second);
      CHECK(ports_in_round.insert(s.substr(dash + 1)).second);
    }
  }
  CHECK(pairs.size() == 6);
  const auto items = final_items(run, "all pairs");
  for (const auto& id : pairs) {
    INFO(id);
    CHECK(items.at(id).at("kind") == "pair");
    CHECK(items.at(id).at("status") == "ok");
    CHECK(items.at(id).at("data").at("gbps").get<double>() > 0);
  }
  // Each port took part in three pairs (one per round).
  for (const char* port : {"h1:eps0", "h2:eps0", "h3:eps0", "h4:eps0"}) {
    INFO(port);
    CHECK(items.at(port).at("status") == "ok");
    CHECK(items.at(port).at("data").at("flows") == 3);
  }
  // Rounds overlap in their set-up only (the next round's receivers and senders are started
  // while a round sends): every sender of a round is told one instant, the next round's instant
  // is at least a duration (1 s) later on every port, and no sender starts before its instant
  // (the agent's own stamp against the instant it was given, on its own clock).
  std::map<std::string, std::map<int, std::int64_t>> instant;   // port -> round -> its senders' instant
  for (const auto& id : pairs) {
    for (const auto& f : items.at(id).at("data").at("flows")) {
      const std::int64_t start = f.at("start_ns"), end = f.at("end_ns"), at = f.at("start_at_ns");
      REQUIRE(start > 0);
      REQUIRE(end > start);
      CHECK(start >= at);
      for (const char* end_port : {"from", "to"}) instant[f.at(end_port).get<std::string>()][f.at("round").get<int>()] = at;
    }
  }
  REQUIRE(instant.size() == 4);
  for (const auto& [port, by_round] : instant) {
    INFO(port);
    REQUIRE(by_round.size() == 3);
    for (auto it = by_round.begin(); std::next(it) != by_round.end(); ++it) {
      CHECK(std::next(it)->second >= it->second + 1'000'000'000);
    }
  }
  const auto chosen = final_items(run, "chosen pairs both ways");
  for (const char* id : {"h1:eps0-h3:eps0", "h2:eps0-h4:eps0"}) {
    INFO(id);
    CHECK(chosen.at(id).at("status") == "ok");
    CHECK(chosen.at(id).at("data").at("a_to_b_gbps").get<double>() > 0);
    CHECK(chosen.at(id).at("data").at("b_to_a_gbps").get<double>() > 0);
  }
}

TEST_CASE("coord lab: a round that runs out its timeout fails only its own tests, not the next round's", "[coord][lab][traffic]") {
  LabUnderTest lab("");
  // h4's electrical port drops everything at the switch (its bridge port down): any test with it
  // stalls in its connect until the round's timeout. The next round's receivers were started
  // while that round ran, and would have lived out their lifetime (the same timeout) before their
  // own test began.
  const std::string eps_ns = "mxl-" + lab.name() + "-eps";
  run_command("ip -n " + eps_ns + " link set dev h4e0 down");
  CoordScratch scratch;
  const auto playbook = scratch.write_playbook("stall.yaml", R"(
name: a stalled round
topologies: [prototype.yaml]
steps:
  - {name: all pairs, traffic.run: {pattern: eps, direction: both, duration: 1, timeout: 4}}
)");
  const auto run = scratch.run(playbook, lab.dir() + "/inventory.yaml");
  INFO(run.output);
  const auto items = final_items(run, "all pairs");
  INFO(run.step("all pairs").dump(1).substr(0, 6000));
  // Three rounds, each with one test of h4 (failed) and one without it (passed).
  for (const char* id : {"h1:eps0-h2:eps0", "h1:eps0-h3:eps0", "h2:eps0-h3:eps0"}) {
    INFO(id);
    CHECK(items.at(id).at("status") == "ok");
  }
  for (const char* id : {"h1:eps0-h4:eps0", "h2:eps0-h4:eps0", "h3:eps0-h4:eps0"}) {
    INFO(id);
    CHECK(items.at(id).at("status") != "ok");
  }
  // Nothing left running on any agent.
  for (const char* host : {"h1", "h2", "h3", "h4"}) {
    INFO(host);
    const auto runs = nlohmann::json::parse(lab.agent(host, "/v1/traffic/runs").body);
    for (const auto& r : runs.at("runs")) CHECK(r.at("state") != "running");
  }
}

TEST_CASE("coord lab: transport rdma fails naming host and port, and never falls back to TCP", "[coord][lab][traffic]") {
  LabUnderTest lab("");
  CoordScratch scratch;
  const auto playbook = scratch.write_playbook("rdma.yaml", R"(
name: rdma
topologies: [prototype.yaml]
steps:
  - {name: apply mesh, ocs.apply: {topology: mesh}}
  - {name: verify mesh, links.verify: {deadline: 10}}
  - {name: rdma, traffic.run: {pattern: pairs, pairs: ["h1:ocs0 - h2:ocs0"], transport: rdma, duration: 1}}
always:
  - {name: clear, ocs.clear: {}}
)");
  const auto run = scratch.run(playbook, lab.dir() + "/inventory.yaml");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  const auto items = final_items(run, "rdma");
  INFO(run.step("rdma").dump(1).substr(0, 4000));
  const auto& pair = items.at("h1:ocs0-h2:ocs0");
  CHECK(pair.at("status") == "failed");
  const std::string message = pair.at("message");
  // "h1:ocs0 -> h2:ocs0: the receiver h2:ocs0 could not start: h2: POST /v1/traffic/servers: HTTP 503 ..."
  CHECK(message.find("the receiver h2:ocs0 could not start") != std::string::npos);
  CHECK(message.find("h2: POST /v1/traffic/servers") != std::string::npos);
  CHECK((message.find("RDMA") != std::string::npos || message.find("rdma") != std::string::npos));
  // Nothing was measured: no TCP ran in its place.
  const auto& flow = pair.at("data").at("flows").at(0);
  CHECK_FALSE(flow.contains("gbps"));
  CHECK_FALSE(flow.contains("client_run"));
  CHECK(flow.at("transport") == "rdma");
  // No traffic run of any kind was left on the agents.
  const auto runs = nlohmann::json::parse(lab.agent("h1", "/v1/traffic/runs").body);
  CHECK(runs.at("runs").empty());
}

TEST_CASE("coord lab: a dead agent fails only its own pairs and only its host", "[coord][lab][traffic]") {
  LabUnderTest lab("");
  // h4's agent is gone before the run starts.
  REQUIRE(lab.kill_agent("h4") > 0);
  CoordScratch scratch;
  const auto playbook = scratch.write_playbook("dead.yaml", R"(
name: dead agent
steps:
  - {name: all pairs, traffic.run: {pattern: eps, duration: 1}}
)");
  const auto run = scratch.run(playbook, lab.dir() + "/inventory.yaml");
  INFO(run.output);
  CHECK(run.exit_code == 1);
  CHECK(run.results.at("run").at("failed_hosts") == nlohmann::json::array({"h4"}));
  const auto items = final_items(run, "all pairs");
  for (const char* id : {"h1:eps0-h4:eps0", "h2:eps0-h4:eps0", "h3:eps0-h4:eps0"}) {
    INFO(id);
    CHECK(items.at(id).at("status") == "unreachable");
    CHECK(items.at(id).at("hosts") == nlohmann::json::array({"h4"}));
    CHECK(items.at(id).at("message").get<std::string>().find("h4: POST") != std::string::npos);
  }
  for (const char* id : {"h1:eps0-h2:eps0", "h1:eps0-h3:eps0", "h2:eps0-h3:eps0"}) {
    INFO(id);
    CHECK(items.at(id).at("status") == "ok");
  }
  CHECK(items.at("h4:eps0").at("status") == "unreachable");
}
