// measure.reconfig without a lab: which ports a switch between two topologies changes, the
// argument checks (errors name the argument; templates pass at load time), and check mode, which
// says what it would measure and touches nothing (the inventory's agents and switch do not exist).
// The measurement on a real lab, against the ground truth: tests/integration/coord_lab/.
#include <catch2/catch.hpp>

#include <atomic>

#include "common/clock.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/modules/measure_reconfig.hpp"
#include "coordinator/traffic/reconfig_traffic.hpp"
#include "tests/coordinator/support/model_fixture.hpp"
#include "tests/coordinator/support/recording_sink.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

const char* kReconfigInventory = R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 1, rx: 17}}
      - {name: ocs1, ocs: {switch: ocs1, tx: 2, rx: 18}}
  - name: h2
    agent: {url: "http://127.0.0.1:2"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 3, rx: 19}}
      - {name: ocs1, ocs: {switch: ocs1, tx: 4, rx: 20}}
  - name: h3
    agent: {url: "http://127.0.0.1:3"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 5, rx: 21}}
switches:
  - {name: ocs1, kind: ocs, uri: "polatis-tl1://a@127.0.0.1:1"}
)";

const char* kReconfigTopologies = R"(version: 1
topologies:
  - name: straight
    circuits:
      - h1:ocs0 - h2:ocs0
      - h1:ocs1 - h2:ocs1
  - name: crossed
    circuits:
      - h2:ocs0 - h1:ocs0
      - h1:ocs1 - h3:ocs0
)";

struct ReconfigFixture : coord::testing::ModelFixture {
  ReconfigFixture() : ModelFixture(kReconfigInventory, kReconfigTopologies) {}
  [[nodiscard]] Result<void> validate(const nlohmann::json& args) const {
    return MeasureReconfigModule{}.validate(args, ValidationContext{inventory, topologies, "measure"});
  }
};

std::vector<std::string> names(const std::vector<PortRef>& ports) {
  std::vector<std::string> out;
  for (const auto& p : ports) out.push_back(p.str());
  return out;
}

}  // namespace

TEST_CASE("measure.reconfig: the ports a switch changes", "[measure]") {
  ReconfigFixture fx;
  const Topology* straight = fx.topologies.find("straight");
  const Topology* crossed = fx.topologies.find("crossed");
  // h1:ocs0 - h2:ocs0 is in both (named the other way round in `crossed`): not a change.
  CHECK(names(changing_ports(straight, *crossed)) == std::vector<std::string>{"h1:ocs1", "h3:ocs0", "h2:ocs1"});
  CHECK(names(changing_ports(crossed, *straight)) == std::vector<std::string>{"h1:ocs1", "h2:ocs1", "h3:ocs0"});
  CHECK(changing_ports(straight, *straight).empty());
  // Unknown starting point: every port of the target.
  CHECK(names(changing_ports(nullptr, *straight)) == std::vector<std::string>{"h1:ocs0", "h2:ocs0", "h1:ocs1", "h2:ocs1"});
}

TEST_CASE("measure.reconfig: argument errors name the argument", "[measure]") {
  ReconfigFixture fx;
  auto field_of = [&](const nlohmann::json& args) {
    const auto r = fx.validate(args);
    REQUIRE_FALSE(r.has_value());
    return r.error().field;
  };
  CHECK(fx.validate({{"topologies", {"straight", "crossed"}}}).has_value());
  CHECK(fx.validate({{"topologies", {"straight", "crossed"}}, {"repetitions", 3}, {"deadline", 5}, {"settle", 0},
                     {"clock_samples", 4}, {"ground_truth", false}, {"truth_bound_ms", 0.5}, {"identity_probe", "after_all_up"},
                     {"traffic", false}})
            .has_value());
  CHECK(field_of(nlohmann::json::object()) == "topologies");
  CHECK(field_of({{"topologies", {"straight"}}}) == "topologies");
  CHECK(field_of({{"topologies", {"straight", "nope"}}}) == "topologies[1]");
  CHECK(field_of({{"topologies", {"straight", 3}}}) == "topologies[1]");
  CHECK(field_of({{"topologies", {"straight", "crossed"}}, {"repetitions", 0}}) == "repetitions");
  CHECK(field_of({{"topologies", {"straight", "crossed"}}, {"deadline", 0}}) == "deadline");
  CHECK(field_of({{"topologies", {"straight", "crossed"}}, {"ground_truth", "maybe"}}) == "ground_truth");
  CHECK(field_of({{"topologies", {"straight", "crossed"}}, {"identity_probe", "never"}}) == "identity_probe");
  CHECK(fx.validate({{"topologies", {"straight", "crossed"}}, {"traffic", true}}).has_value());
  const nlohmann::json full_traffic = {{"streams", 2},      {"bin_us", 500},      {"after_ms", 300},    {"reference", "line"},
                                       {"line_rate_gbps", 100}, {"threshold", 0.8}, {"hold_ms", 20}, {"window_ms", 0},
                                       {"settled_ms", 100}};
  CHECK(fx.validate({{"topologies", {"straight", "crossed"}}, {"traffic", full_traffic}}).has_value());
  CHECK(field_of({{"topologies", {"straight", "crossed"}}, {"traffic", "yes"}}) == "traffic");
  auto traffic_field = [&](const nlohmann::json& t) { return field_of({{"topologies", {"straight", "crossed"}}, {"traffic", t}}); };
  CHECK(traffic_field({{"colour", 1}}) == "traffic.colour");
  CHECK(traffic_field({{"streams", 0}}) == "traffic.streams");
  CHECK(traffic_field({{"threshold", 1.5}}) == "traffic.threshold");
  CHECK(traffic_field({{"hold_ms", "long"}}) == "traffic.hold_ms");
  CHECK(traffic_field({{"window_ms", -1}}) == "traffic.window_ms");
  // A reconfiguration's circuits are new: no traffic before the command to take a baseline from.
  CHECK(traffic_field({{"reference", "baseline"}}) == "traffic.reference");
  CHECK(traffic_field({{"reference", "line"}}) == "traffic.line_rate_gbps");

  const auto defaults = parse_reconfig_traffic(true);
  REQUIRE(defaults.has_value());
  CHECK(defaults->enabled);
  CHECK(defaults->rule.reference == measure::Reference::settled);
  CHECK(defaults->rule.window_ns == 20'000'000);
  const auto off = parse_reconfig_traffic(nlohmann::json());
  REQUIRE(off.has_value());
  CHECK_FALSE(off->enabled);
  const auto full = parse_reconfig_traffic(full_traffic);
  REQUIRE(full.has_value());
  CHECK(full->streams == 2);
  CHECK(full->bin_us == 500);
  CHECK(full->after_ns == 300'000'000);
  CHECK(full->rule.reference == measure::Reference::line);
  CHECK(full->rule.line_rate_gbps == 100);
  CHECK(full->rule.threshold_fraction == 0.8);
  CHECK(full->rule.hold_ns == 20'000'000);
  CHECK(full->rule.window_ns == 0);
  CHECK(full->rule.baseline_window_ns == 100'000'000);
  // A paced stream's rate is what counts as full, unless a reference is named.
  const auto paced = parse_reconfig_traffic({{"rate_gbps", 2}});
  REQUIRE(paced.has_value());
  CHECK(paced->enabled);
  CHECK(paced->rate_gbps == 2);
  CHECK(paced->rule.reference == measure::Reference::line);
  CHECK(paced->rule.line_rate_gbps == 2);
  const auto paced_settled = parse_reconfig_traffic({{"rate_gbps", 2}, {"reference", "settled"}});
  REQUIRE(paced_settled.has_value());
  CHECK(paced_settled->rule.reference == measure::Reference::settled);
  const auto disabled = parse_reconfig_traffic({{"enabled", false}, {"rate_gbps", 2}});
  REQUIRE(disabled.has_value());
  CHECK_FALSE(disabled->enabled);
  CHECK(traffic_field({{"enabled", "maybe"}}) == "traffic.enabled");
  CHECK(traffic_field({{"rate_gbps", 0}}) == "traffic.rate_gbps");
  CHECK(field_of({{"topologies", {"straight", "crossed"}}, {"colour", 1}}) == "colour");
  // Templates are only known at run time: their shape is not checked at load time.
  CHECK(fx.validate({{"topologies", {"{{ first }}", "{{ second }}"}}, {"repetitions", "{{ reps }}"}, {"identity_probe", "{{ probe }}"}})
            .has_value());
}

TEST_CASE("measure.reconfig: check mode says what it would measure and touches nothing", "[measure]") {
  ReconfigFixture fx;
  RunState state;
  coord::testing::RecordingSink sink;
  std::atomic<bool> cancel{false};
  StepContext ctx{.inventory = fx.inventory, .topologies = fx.topologies, .state = state, .sink = sink,
                  .check_mode = true, .deadline_ns = monotonic_ns() + 1'000'000'000, .cancel = cancel, .step_name = "measure"};
  // No pools: a check that tried to reach an agent or the switch would fail the step.
  MeasureReconfigModule module;
  const auto result = module.run({{"topologies", {"straight", "crossed"}}, {"repetitions", 7}}, ctx);
  INFO(result.message);
  CHECK(result.ok);
  CHECK(result.changed);
  CHECK(result.message == "would measure 7 repetition(s) of straight <-> crossed");
  CHECK(sink.items.empty());
  CHECK(state.topology_of_switch.empty());
  // Bad arguments at run time (after templates) fail the step, naming the argument.
  const auto bad = module.run({{"topologies", {"straight", "crossed"}}, {"repetitions", "{{ reps }}"}}, ctx);
  CHECK_FALSE(bad.ok);
  CHECK(bad.message.find("repetitions") != std::string::npos);
}
