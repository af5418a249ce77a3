// traffic.run without agents: the circle-method schedule, the packing of tests into rounds, the
// argument checks (errors name the argument), the plan for each pattern, and check mode, which
// says what it would run and sends nothing (the inventory's agents do not exist).
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <set>

#include "common/clock.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/modules/traffic_run.hpp"
#include "coordinator/traffic/traffic_plan.hpp"
#include "tests/coordinator/support/model_fixture.hpp"
#include "tests/coordinator/support/recording_sink.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// Four hosts, two OCS ports each, one EPS port each; h4 has a second EPS port.
const char* kTrafficRunInventory = R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1"}
    ports:
      - {name: ocs0, address: 198.18.1.1/16, ocs: {switch: ocs1, tx: 1, rx: 17}, expect: {speed_mbps: 100000}}
      - {name: ocs1, address: 198.18.2.1/16, ocs: {switch: ocs1, tx: 2, rx: 18}}
      - {name: eps0, address: 198.19.0.1/20, eps: {switch: eps1}}
  - name: h2
    agent: {url: "http://127.0.0.1:2"}
    ports:
      - {name: ocs0, address: 198.18.1.2/16, ocs: {switch: ocs1, tx: 3, rx: 19}}
      - {name: ocs1, address: 198.18.2.2/16, ocs: {switch: ocs1, tx: 4, rx: 20}}
      - {name: eps0, address: 198.19.0.2/20, eps: {switch: eps1}}
  - name: h3
    agent: {url: "http://127.0.0.1:3"}
    ports:
      - {name: ocs0, address: 198.18.1.3/16, ocs: {switch: ocs1, tx: 5, rx: 21}}
      - {name: eps0, address: 198.19.0.3/20, eps: {switch: eps1}}
  - name: h4
    agent: {url: "http://127.0.0.1:4"}
    ports:
      - {name: ocs0, address: 198.18.1.4/16, ocs: {switch: ocs1, tx: 6, rx: 22}}
      - {name: eps0, address: 198.19.0.4/20, eps: {switch: eps1}}
      - {name: eps1, address: 198.19.1.4/20, eps: {switch: eps1}}
switches:
  - {name: ocs1, kind: ocs, uri: "polatis-tl1://a@127.0.0.1:1"}
  - {name: eps1, kind: eps}
)";

const char* kTrafficRunTopologies = R"(version: 1
topologies:
  - name: two
    circuits:
      - h1:ocs0 - h2:ocs0
      - h3:ocs0 - h4:ocs0
  - name: other
    circuits:
      - h1:ocs1 - h2:ocs1
)";

struct TrafficRunFixture : coord::testing::ModelFixture {
  TrafficRunFixture() : ModelFixture(kTrafficRunInventory, kTrafficRunTopologies) {}
  Result<TrafficRunArgs> args(const nlohmann::json& j) const { return parse_traffic_run_args(j, inventory, topologies); }
};

std::string field_of(const Result<TrafficRunArgs>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().field;
}

}  // namespace

TEST_CASE("circle method: every pair exactly once, disjoint pairs in each round", "[traffic]") {
  for (std::size_t n = 0; n <= 11; ++n) {
    INFO("n = " << n);
    const auto rounds = circle_rounds(n);
    if (n < 2) {
      CHECK(rounds.empty());
      continue;
    }
    // Even n: n-1 rounds of n/2 pairs; odd n: n rounds of (n-1)/2 pairs, each port resting once.
    CHECK(rounds.size() == (n % 2 == 0 ? n - 1 : n));
    std::set<std::pair<std::size_t, std::size_t>> seen;
    std::map<std::size_t, int> rests;
    for (const auto& round : rounds) {
      CHECK(round.size() == n / 2);
      std::set<std::size_t> used;
      for (const auto& [a, b] : round) {
        CHECK(a < b);
        CHECK(b < n);
        CHECK(used.insert(a).second);
        CHECK(used.insert(b).second);
        CHECK(seen.insert({a, b}).second);   // never twice
      }
      for (std::size_t p = 0; p < n; ++p) {
        if (!used.contains(p)) rests[p] += 1;
      }
    }
    CHECK(seen.size() == n * (n - 1) / 2);   // every pair
    if (n % 2 == 1) {
      CHECK(rests.size() == n);
      for (const auto& [p, k] : rests) CHECK(k == 1);
    } else {
      CHECK(rests.empty());
    }
  }
}

TEST_CASE("packing: no port twice in a round, parallel and the agents' run limit respected", "[traffic]") {
  const auto port = [](const std::string& h, const std::string& p) { return PortRef{h, p}; };
  std::vector<TrafficTest> tests = {
      {.kind = "pair", .a = port("h1", "p0"), .b = port("h2", "p0")},
      {.kind = "pair", .a = port("h1", "p0"), .b = port("h3", "p0")},   // shares h1:p0 with the first
      {.kind = "pair", .a = port("h3", "p1"), .b = port("h4", "p0")},
  };
  auto rounds = pack_rounds(tests, 0);
  REQUIRE(rounds.size() == 2);
  CHECK(rounds[0] == std::vector<std::size_t>{0, 2});
  CHECK(rounds[1] == std::vector<std::size_t>{1});

  rounds = pack_rounds(tests, 1);
  CHECK(rounds.size() == 3);

  // 20 circuits out of one host, both ways: 2 runs on h1 each; at most 16 per agent -> 8 per round.
  std::vector<TrafficTest> fan;
  for (int i = 0; i < 20; ++i) {
    fan.push_back({.kind = "circuit", .a = port("h1", "p" + std::to_string(i)), .b = port("h" + std::to_string(i + 2), "p0"),
                   .a_to_b = true, .b_to_a = true});
  }
  CHECK(fan[0].runs_on("h1") == 2);
  rounds = pack_rounds(fan, 0);
  REQUIRE(rounds.size() == 3);
  CHECK(rounds[0].size() == 8);
  CHECK(rounds[1].size() == 8);
  CHECK(rounds[2].size() == 4);
}

TEST_CASE("traffic.run arguments: defaults, and errors naming the argument", "[traffic]") {
  TrafficRunFixture fx;
  auto a = fx.args(nullptr);
  REQUIRE(a.has_value());
  CHECK(a->pattern == TrafficPattern::circuits);
  CHECK(a->duration_s == kDefaultTrafficDurationS);
  CHECK_FALSE(a->bytes);
  CHECK(a->streams == 1);
  CHECK(a->transport == "tcp");
  CHECK(a->direction == TrafficDirection::a_to_b);
  CHECK_FALSE(a->threshold);
  CHECK(a->timeout_s == kDefaultTrafficDurationS + kTrafficTimeoutSlackS);

  a = fx.args({{"pattern", "pairs"}, {"pairs", {"h1:ocs0 - h2:ocs0", {"h3:eps0", "h4:eps1"}}}, {"bytes", 1000000},
               {"streams", 4}, {"direction", "both"}, {"threshold", 0.5}, {"line_rate_gbps", 25}, {"transport", "rdma"}});
  CHECK_FALSE(a.has_value());   // rdma runs for a duration
  CHECK(a.error().field == "bytes");

  a = fx.args({{"pattern", "pairs"}, {"pairs", {"h1:ocs0 - h2:ocs0", {"h3:eps0", "h4:eps1"}}}, {"bytes", 1000000},
               {"streams", 4}, {"direction", "both"}, {"threshold", 0.5}, {"line_rate_gbps", 25}});
  REQUIRE(a.has_value());
  REQUIRE(a->pairs.size() == 2);
  CHECK(a->pairs[1].first == PortRef{"h3", "eps0"});
  CHECK(a->bytes == 1000000u);
  CHECK_FALSE(a->duration_s);
  CHECK(a->timeout_s == kDefaultBytesTimeoutS);
  CHECK(a->line_rate_gbps == 25.0);

  CHECK(field_of(fx.args({{"colour", "red"}})) == "colour");
  CHECK(field_of(fx.args({{"pattern", "star"}})) == "pattern");
  CHECK(field_of(fx.args({{"topology", "nope"}})) == "topology");
  CHECK(field_of(fx.args({{"pattern", "eps"}, {"topology", "two"}})) == "topology");
  CHECK(field_of(fx.args({{"pattern", "pairs"}})) == "pairs");
  CHECK(field_of(fx.args({{"pattern", "pairs"}, {"pairs", {"h1:ocs0 - h9:ocs0"}}})) == "pairs[0]");
  CHECK(field_of(fx.args({{"pattern", "pairs"}, {"pairs", {"h1:ocs0 - h2:ocs0", "h1:ocs0-h2:ocs0"}}})) == "pairs[1]");
  CHECK(field_of(fx.args({{"pattern", "pairs"}, {"pairs", {"h1:ocs0 - h1:ocs0"}}})) == "pairs[0]");
  CHECK(field_of(fx.args({{"pairs", {"h1:ocs0 - h2:ocs0"}}})) == "pairs");
  CHECK(field_of(fx.args({{"pattern", "eps"}, {"switches", {"ocs1"}}})) == "switches[0]");
  CHECK(field_of(fx.args({{"direction", "sideways"}})) == "direction");
  CHECK(field_of(fx.args({{"duration", 0}})) == "duration");
  CHECK(field_of(fx.args({{"duration", 1}, {"bytes", 10}})) == "bytes");
  CHECK(field_of(fx.args({{"bytes", 1.5}})) == "bytes");
  CHECK(field_of(fx.args({{"streams", 65}})) == "streams");
  CHECK(field_of(fx.args({{"streams", 2.5}})) == "streams");
  CHECK(field_of(fx.args({{"transport", "Bad Name"}})) == "transport");
  CHECK(field_of(fx.args({{"threshold", 1.5}})) == "threshold");
  CHECK(field_of(fx.args({{"line_rate_gbps", 0}})) == "line_rate_gbps");
  CHECK(field_of(fx.args({{"duration", 5}, {"timeout", 5}})) == "timeout");
  CHECK(field_of(fx.args({{"parallel", -1}})) == "parallel");
}

TEST_CASE("traffic.run sink: discard unless asked, copy passed on, checked by the agents' own reader", "[traffic]") {
  TrafficRunFixture fx;
  CHECK(fx.args(nullptr)->sink == mixnet::wire::TcpSink::discard);
  auto copy = fx.args({{"sink", "copy"}});
  REQUIRE(copy.has_value());
  CHECK(copy->sink == mixnet::wire::TcpSink::copy);
  CHECK(field_of(fx.args({{"sink", "keep"}})) == "sink");
  CHECK(field_of(fx.args({{"sink", 1}})) == "sink");
  // RDMA receivers take no sink; the playbook fails at load time, not on the agents.
  CHECK(field_of(fx.args({{"transport", "rdma"}, {"sink", "copy"}})) == "sink");
}

TEST_CASE("traffic.run validate: templated arguments wait for the run, the rest is checked", "[traffic]") {
  TrafficRunFixture fx;
  TrafficRunModule module;
  const ValidationContext vc{fx.inventory, fx.topologies, "traffic"};
  CHECK(module.validate({{"topology", "{{ topo }}"}, {"duration", 1}}, vc).has_value());
  CHECK(module.validate({{"pattern", "pairs"}, {"pairs", "{{ my_pairs }}"}}, vc).has_value());
  CHECK(module.validate({{"pattern", "{{ p }}"}, {"pairs", "{{ x }}"}}, vc).has_value());
  auto bad = module.validate({{"topology", "{{ topo }}"}, {"streams", 0}}, vc);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().field == "streams");
}

TEST_CASE("traffic.run plans: circuits of the topology last applied, pairs, eps rounds", "[traffic]") {
  TrafficRunFixture fx;
  RunState state;

  // No topology named and none applied: an error naming `topology`.
  auto plan = plan_traffic(*fx.args({}), fx.inventory, fx.topologies, state);
  REQUIRE_FALSE(plan.has_value());
  CHECK(plan.error().field == "topology");

  state.topology_of_switch["ocs1"] = "two";
  plan = plan_traffic(*fx.args({{"direction", "both"}}), fx.inventory, fx.topologies, state);
  REQUIRE(plan.has_value());
  REQUIRE(plan->tests.size() == 2);
  CHECK(plan->tests[0].id() == "h1:ocs0-h2:ocs0");
  CHECK(plan->tests[0].kind == "circuit");
  CHECK(plan->tests[0].a_to_b);
  CHECK(plan->tests[0].b_to_a);
  CHECK(plan->rounds.size() == 1);
  CHECK(plan->label == "topology two");

  plan = plan_traffic(*fx.args({{"topology", "other"}, {"direction", "b-to-a"}}), fx.inventory, fx.topologies, state);
  REQUIRE(plan.has_value());
  REQUIRE(plan->tests.size() == 1);
  CHECK(plan->tests[0].id() == "h1:ocs1-h2:ocs1");
  CHECK_FALSE(plan->tests[0].a_to_b);
  CHECK(plan->tests[0].b_to_a);

  // Five EPS ports (h4 has two): odd, so 5 rounds of 2 pairs by the circle method; the pair
  // h4:eps0-h4:eps1 would never cross the switch and is skipped, naming why.
  plan = plan_traffic(*fx.args({{"pattern", "eps"}}), fx.inventory, fx.topologies, state);
  REQUIRE(plan.has_value());
  CHECK(plan->label == "switch eps1");
  CHECK(plan->tests.size() == 9);
  REQUIRE(plan->skipped.size() == 1);
  CHECK(plan->skipped[0].test.id() == "h4:eps0-h4:eps1");
  CHECK(plan->skipped[0].why.find("one host") != std::string::npos);
  CHECK(plan->rounds.size() == 5);
  std::set<std::string> ids;
  for (const auto& round : plan->rounds) {
    std::set<PortRef> used;
    for (std::size_t t : round) {
      CHECK(used.insert(plan->tests[t].a).second);
      CHECK(used.insert(plan->tests[t].b).second);
      ids.insert(plan->tests[t].id());
    }
  }
  CHECK(ids.size() == 9);
  CHECK(ids.contains("h1:eps0-h2:eps0"));
  CHECK(ids.contains("h3:eps0-h4:eps1"));
}

TEST_CASE("traffic.run check mode says what it would run and sends nothing", "[traffic]") {
  TrafficRunFixture fx;
  RunState state;
  coord::testing::RecordingSink sink;
  std::atomic<bool> cancel{false};
  StepContext ctx{.inventory = fx.inventory, .topologies = fx.topologies, .state = state, .sink = sink,
                  .check_mode = true, .deadline_ns = monotonic_ns() + 1'000'000'000, .cancel = cancel,
                  .step_name = "traffic"};
  // No pools: a check that tried to reach an agent would fail the step.
  TrafficRunModule module;
  const auto result = module.run({{"topology", "two"}, {"duration", 1.5}, {"streams", 2}}, ctx);
  INFO(result.message);
  CHECK(result.ok);
  CHECK_FALSE(result.changed);
  CHECK(result.message.find("would run 2 circuit test(s) in 1 round(s)") != std::string::npos);
  REQUIRE(sink.items.size() == 2);
  CHECK(sink.items[0].kind == "circuit");
  CHECK(sink.items[0].id == "h1:ocs0-h2:ocs0");
  CHECK(sink.items[0].status == "skipped");
  CHECK(sink.items[0].hosts == std::vector<std::string>{"h1", "h2"});
  CHECK(sink.items[0].message.find("h1:ocs0 (198.18.1.1) -> h2:ocs0 (198.18.1.2)") != std::string::npos);
  CHECK(sink.items[0].message.find("1.5 s of tcp, 2 stream(s)") != std::string::npos);
  CHECK(result.data.at("rounds") == nlohmann::json::parse(R"([["h1:ocs0-h2:ocs0","h3:ocs0-h4:ocs0"]])"));
  CHECK(result.data.at("sink") == "discard");  // the record says how the receivers counted

  // Bad arguments at run time (after templates) fail the step, naming the argument.
  const auto bad = module.run({{"topology", "two"}, {"streams", 0}}, ctx);
  CHECK_FALSE(bad.ok);
  CHECK(bad.message.find("streams") != std::string::npos);
}
