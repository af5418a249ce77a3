// measure.replay without a lab: its arguments are checked, each error naming its field; --check
// reads the trace, scales it and generates the topologies, and touches neither switch nor agent;
// what only the run can check (the trace's hosts, the line rate, the layer count) fails the step
// naming the field; agents that do not answer fail it before any switch is touched. The lab tests
// (tests/integration/coord_lab/test_coord_lab_replay.cpp) run whole replays.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "coordinator/modules/measure_replay.hpp"
#include "tests/coordinator/support/step_harness.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

const std::string kShippedTrace = std::string(MIXNET_SOURCE_DIR) + "/playbooks/examples/moe-trace-4hosts.json";

// h1..h4 as the prototype lab: 3 OCS ports and 1 electrical port each, at `speed` Mb/s when given;
// agents and switch nobody answers for.
std::string replay_inventory(std::optional<int> speed, int hosts = 4) {
  std::string yaml = "version: 1\nname: replay-test\nhosts:\n";
  const std::string expect = speed ? fmt::format("\n        expect: {{speed_mbps: {}}}", *speed) : "";
  for (int h = 1; h <= hosts; ++h) {
    yaml += fmt::format("  - name: h{}\n    agent: {{url: \"http://127.0.0.1:9\"}}\n    ports:\n", h);
    for (int p = 0; p < 3; ++p) {
      const int tx = (h - 1) * 3 + p + 1;
      yaml += fmt::format("      - name: ocs{}\n        ocs: {{switch: ocs1, tx: {}, rx: {}}}{}\n", p, tx, tx + 16, expect);
    }
    yaml += fmt::format("      - name: eps0\n        eps: {{switch: eps1}}{}\n", expect);
  }
  return yaml + "switches:\n  - name: ocs1\n    kind: ocs\n    uri: \"polatis-tl1://admin:root@127.0.0.1:1\"\n  - name: eps1\n    kind: eps\n";
}

}  // namespace

TEST_CASE("measure.replay: arguments are checked, each error naming its field", "[replay][modules]") {
  ScratchDir dir("mixnet-replay-args");
  StepHarness h(replay_inventory(100), "", dir.path, dir.path + "/leases");
  MeasureReplayModule replay;
  CHECK(h.validate(replay, {{"trace", "t.json"}}));
  CHECK(h.validate(replay, {{"trace", "t.json"}, {"layers", 0}, {"line_rate_gbps", 0}, {"modes", {"electrical", "reconfigured"}},
                            {"scale", 0.5}, {"deadline", 5}, {"layer_timeout", 60}}));
  CHECK(h.validate(replay, {{"trace", "{{ trace }}"}, {"layers", "{{ n }}"}}));   // templates: checked when resolved
  for (const auto& [args, field] : std::vector<std::pair<json, std::string>>{
           {json::object(), "trace"},
           {{{"trace", ""}}, "trace"},
           {{{"trace", "t.json"}, {"layers", 1.5}}, "layers"},
           {{{"trace", "t.json"}, {"layers", -1}}, "layers"},
           {{{"trace", "t.json"}, {"modes", json::array()}}, "modes"},
           {{{"trace", "t.json"}, {"modes", {"optical"}}}, "modes[0]"},
           {{{"trace", "t.json"}, {"modes", {"static", "static"}}}, "modes[1]"},
           {{{"trace", "t.json"}, {"scale", 2}, {"layer_seconds", 1}}, "scale"},
           {{{"trace", "t.json"}, {"layer_seconds", 0}}, "layer_seconds"},
           {{{"trace", "t.json"}, {"line_rate_gbps", -1}}, "line_rate_gbps"},
           {{{"trace", "t.json"}, {"deadline", 0}}, "deadline"},
           {{{"trace", "t.json"}, {"repetitions", 3}}, "repetitions"}}) {
    INFO(args.dump());
    auto bad = h.validate(replay, args);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::invalid_argument);
    CHECK(bad.error().field == field);
  }
}

TEST_CASE("measure.replay: --check scales the trace and plans, touching neither switch nor agent", "[replay][modules]") {
  ScratchDir dir("mixnet-replay-check");
  StepHarness h(replay_inventory(100), "", dir.path, dir.path + "/leases", true);
  MeasureReplayModule replay;
  const auto r = h.run(replay, {{"trace", kShippedTrace}, {"layers", 2}}, true);
  INFO(r.message);
  CHECK(r.ok);
  CHECK(r.changed);
  CHECK(r.message.find("would replay 2 layer(s) of") != std::string::npos);
  CHECK(r.message.find("on 4 host(s), modes reconfigured, static, electrical") != std::string::npos);
  CHECK(r.message.find("so its heaviest layer") != std::string::npos);
  CHECK(r.message.find("line rate 0.1 Gb/s (expect.speed_mbps)") != std::string::npos);
  CHECK(h.sink.items().empty());
}

TEST_CASE("measure.replay: what only the run can check fails the step naming the field", "[replay][modules]") {
  ScratchDir dir("mixnet-replay-run-args");
  MeasureReplayModule replay;
  {
    StepHarness h(replay_inventory(std::nullopt), "", dir.path, dir.path + "/leases-a", true);
    const auto r = h.run(replay, {{"trace", kShippedTrace}}, true);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("no line rate") != std::string::npos);
    CHECK(r.message.find("line_rate_gbps") != std::string::npos);
    // Given in the playbook instead, it is taken.
    CHECK(h.run(replay, {{"trace", kShippedTrace}, {"line_rate_gbps", 1}}, true).ok);
  }
  {
    StepHarness h(replay_inventory(100, 3), "", dir.path, dir.path + "/leases-b", true);   // no h4
    const auto r = h.run(replay, {{"trace", kShippedTrace}}, true);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("places experts on host 'h4', which the inventory does not have") != std::string::npos);
  }
  {
    StepHarness h(replay_inventory(100), "", dir.path, dir.path + "/leases-c", true);
    auto r = h.run(replay, {{"trace", kShippedTrace}, {"layers", 9}}, true);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("has 4 layer(s), 9 asked for") != std::string::npos);
    r = h.run(replay, {{"trace", dir.path + "/nosuch.json"}}, true);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("nosuch.json") != std::string::npos);
  }
}

TEST_CASE("measure.replay: agents that do not answer fail the step before any switch is touched", "[replay][modules]") {
  ScratchDir dir("mixnet-replay-dead");
  StepHarness h(replay_inventory(100), "", dir.path, dir.path + "/leases");
  MeasureReplayModule replay;
  const auto r = h.run(replay, {{"trace", kShippedTrace}, {"layers", 1}});
  INFO(r.message);
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("reading the agents' clocks") != std::string::npos);
  CHECK(h.sink.items().empty());
}
