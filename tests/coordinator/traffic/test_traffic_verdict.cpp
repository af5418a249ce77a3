// traffic.run's verdicts without agents: a flow judged from its sender's final report (and the
// threshold against a line rate from the arguments, the agents or the inventory), the item of a
// test and of each port, and the step's totals. The flows are made here as the rounds would
// leave them.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "coordinator/traffic/traffic_verdict.hpp"
#include "tests/coordinator/support/model_fixture.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

const char* kVerdictInventory = R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1"}
    ports:
      - {name: ocs0, address: 198.18.1.1/16, ocs: {switch: ocs1, tx: 1, rx: 17}, expect: {speed_mbps: 100000}}
  - name: h2
    agent: {url: "http://127.0.0.1:2"}
    ports:
      - {name: ocs0, address: 198.18.1.2/16, ocs: {switch: ocs1, tx: 3, rx: 19}, expect: {speed_mbps: 25000}}
  - name: h3
    agent: {url: "http://127.0.0.1:3"}
    ports:
      - {name: ocs0, address: 198.18.1.3/16, ocs: {switch: ocs1, tx: 5, rx: 21}}
switches:
  - {name: ocs1, kind: ocs, uri: "polatis-tl1://a@127.0.0.1:1"}
)";

const char* kVerdictTopologies = R"(version: 1
topologies:
  - name: one
    circuits:
      - h1:ocs0 - h2:ocs0
)";

const PortRef kH1{"h1", "ocs0"};
const PortRef kH2{"h2", "ocs0"};
const PortRef kH3{"h3", "ocs0"};

TrafficRunArgs args_with(std::optional<double> threshold = std::nullopt, std::optional<double> line_rate = std::nullopt) {
  TrafficRunArgs a;
  a.duration_s = 2;
  a.timeout_s = 17;
  a.threshold = threshold;
  a.line_rate_gbps = line_rate;
  return a;
}

wire::TrafficRunReport report(std::string state, double gbps, std::uint64_t bytes = 1'000'000) {
  wire::TrafficRunReport r;
  r.id = "tr-1";
  r.state = std::move(state);
  r.gbps = gbps;
  r.bytes = bytes;
  return r;
}

Flow flow(PortRef from, PortRef to, std::optional<wire::TrafficRunReport> client) {
  Flow f{.from = std::move(from), .to = std::move(to)};
  f.client = std::move(client);
  return f;
}

}  // namespace

TEST_CASE("fmt_gbps: three significant figures, whole numbers from 1000 up", "[traffic]") {
  CHECK(fmt_gbps(9.4123) == "9.41");
  CHECK(fmt_gbps(0.04823) == "0.0482");
  CHECK(fmt_gbps(400) == "400");
  CHECK(fmt_gbps(1234.6) == "1235");
}

TEST_CASE("line rate: the argument, else the agents' speed, else the inventory's, of the slower end", "[traffic]") {
  coord::testing::ModelFixture fx(kVerdictInventory, kVerdictTopologies);
  Flow f = flow(kH1, kH2, std::nullopt);
  choose_line_rate(f, args_with(std::nullopt, 40.0), fx.inventory, {{kH1, 100.0}, {kH2, 100.0}});
  CHECK(f.line_rate_gbps == 40.0);
  CHECK(f.line_rate_source == "line_rate_gbps");

  f = flow(kH1, kH2, std::nullopt);
  choose_line_rate(f, args_with(), fx.inventory, {{kH1, 100.0}, {kH2, 10.0}});
  CHECK(f.line_rate_gbps == 10.0);
  CHECK(f.line_rate_source == "speed_mbps");

  // One end live, the other from the inventory.
  f = flow(kH1, kH2, std::nullopt);
  choose_line_rate(f, args_with(), fx.inventory, {{kH1, 100.0}});
  CHECK(f.line_rate_gbps == 25.0);
  CHECK(f.line_rate_source == "expect.speed_mbps");

  // h3 has no expect.speed_mbps and its agent gave none: unknown.
  f = flow(kH1, kH3, std::nullopt);
  choose_line_rate(f, args_with(), fx.inventory, {});
  CHECK_FALSE(f.line_rate_gbps);
}

TEST_CASE("judge: the sender's final report against the threshold", "[traffic]") {
  const auto judged = [](Flow f, const TrafficRunArgs& args) {
    judge(f, args);
    return f;
  };
  Flow f = judged(flow(kH1, kH2, std::nullopt), args_with());
  CHECK(f.status == "failed");
  CHECK(f.message == "h1:ocs0 -> h2:ocs0: no report of the sender's run");

  f = judged(flow(kH1, kH2, report("running", 3.5)), args_with());
  CHECK(f.status == "failed");
  CHECK(f.message == "h1:ocs0 -> h2:ocs0: did not finish within the 17 s timeout (state running, 3.5 Gb/s so far)");

  auto broken = report("failed", 0);
  broken.errors = {"connect: refused", "gave up"};
  f = judged(flow(kH1, kH2, broken), args_with());
  CHECK(f.message == "h1:ocs0 -> h2:ocs0: the sender's run tr-1 failed: connect: refused; gave up");
  CHECK_FALSE(f.measured);

  f = judged(flow(kH1, kH2, report("done", 0, 0)), args_with());
  CHECK(f.message == "h1:ocs0 -> h2:ocs0: no data delivered");

  // Measured, but with a threshold and no line rate.
  f = judged(flow(kH1, kH2, report("done", 9.41)), args_with(0.9));
  CHECK(f.status == "failed");
  CHECK(f.measured);
  CHECK(f.gbps == 9.41);
  CHECK(f.message.find("the line rate is unknown") != std::string::npos);

  Flow slow = flow(kH1, kH2, report("done", 8.0));
  slow.line_rate_gbps = 10.0;
  slow.line_rate_source = "speed_mbps";
  f = judged(slow, args_with(0.9));
  CHECK(f.status == "failed");
  CHECK(f.message ==
        "h1:ocs0 -> h2:ocs0: 8 Gb/s, below the threshold 9 Gb/s (90% of the 10 Gb/s line rate, from speed_mbps)");

  Flow fast = slow;
  fast.client = report("done", 9.5);
  f = judged(fast, args_with(0.9));
  CHECK(f.status == "ok");
  CHECK(f.message == "h1:ocs0 -> h2:ocs0: 9.5 Gb/s (95% of 10 Gb/s line rate)");

  // A flow a failed call already settled keeps its verdict.
  Flow settled = flow(kH1, kH2, report("done", 9.5));
  settled.fail_as("interrupted");
  f = judged(settled, args_with());
  CHECK(f.message == "h1:ocs0 -> h2:ocs0: interrupted");
  CHECK_FALSE(f.measured);
}

TEST_CASE("test and port items: a circuit is as good as its worse direction, blame the silent agent", "[traffic]") {
  const TrafficRunArgs args = args_with();
  const TrafficTest test{.kind = "circuit", .a = kH1, .b = kH2, .a_to_b = true, .b_to_a = true};
  std::vector<Flow> flows = {flow(kH1, kH2, report("done", 9.0)), flow(kH2, kH1, report("done", 7.0))};
  for (auto& f : flows) judge(f, args);

  ItemResult item = test_verdict(test, 0, {&flows[0], &flows[1]}, args);
  CHECK(item.status == "ok");
  CHECK(item.hosts == std::vector<std::string>{"h1", "h2"});
  CHECK(item.data["gbps"] == 7.0);
  CHECK(item.data["a_to_b_gbps"] == 9.0);
  CHECK(item.data["b_to_a_gbps"] == 7.0);
  CHECK(item.data["total_gbps"] == 16.0);
  CHECK(item.data["round"] == 1);
  CHECK(item.data["flows"].size() == 2);
  CHECK(item.message == "h1:ocs0 -> h2:ocs0: 9 Gb/s; h2:ocs0 -> h1:ocs0: 7 Gb/s");

  // The receiver's agent did not answer: the item counts against h2 alone, and has no gbps.
  flows[1] = flow(kH2, kH1, std::nullopt);
  flows[1].status = "unreachable";
  flows[1].message = "h2:ocs0 -> h1:ocs0: the sender h2:ocs0 could not start: timeout";
  flows[1].fault_hosts = {"h2"};
  item = test_verdict(test, 2, {&flows[0], &flows[1]}, args);
  CHECK(item.status == "unreachable");
  CHECK(item.hosts == std::vector<std::string>{"h2"});
  CHECK_FALSE(item.data.contains("gbps"));
  CHECK(item.data["total_gbps"] == 9.0);
  CHECK(item.data["round"] == 3);

  const auto ports = port_verdicts(flows);
  REQUIRE(ports.size() == 2);
  CHECK(ports[0].id == "h1:ocs0");
  CHECK(ports[0].status == "unreachable");
  CHECK(ports[0].hosts == std::vector<std::string>{"h2"});
  CHECK(ports[0].data["tx_gbps"] == 9.0);
  CHECK_FALSE(ports[0].data.contains("rx_gbps"));
  CHECK(ports[1].id == "h2:ocs0");
  CHECK(ports[1].data["rx_gbps"] == 9.0);

  // A failure that is not a silent agent counts against every end.
  flows[1].fault_hosts.clear();
  flows[1].status = "failed";
  item = test_verdict(test, 0, {&flows[0], &flows[1]}, args);
  CHECK(item.status == "failed");
  CHECK(item.hosts == std::vector<std::string>{"h1", "h2"});
}

TEST_CASE("port items: figures per peer, summarised past four", "[traffic]") {
  const TrafficRunArgs args = args_with();
  std::vector<Flow> flows;
  for (int i = 0; i < 5; ++i) {
    flows.push_back(flow(kH1, {"h" + std::to_string(i + 2), "ocs0"}, report("done", 1.0 + i)));
  }
  for (auto& f : flows) judge(f, args);
  const auto ports = port_verdicts(flows);
  REQUIRE(ports.size() == 6);
  CHECK(ports[0].id == "h1:ocs0");
  CHECK(ports[0].status == "ok");
  CHECK(ports[0].message == "5 flow(s) ok; sent at least 1 Gb/s");
  CHECK(ports[0].data["sent_gbps"].size() == 5);
  CHECK(ports[0].data["flows"] == 5);
  CHECK(ports[1].message == "received 1 Gb/s from h1:ocs0");
}

TEST_CASE("the step's totals and message", "[traffic]") {
  const TrafficRunArgs args = args_with();
  TrafficPlan plan;
  plan.label = "topology one";
  plan.tests = {TrafficTest{.kind = "circuit", .a = kH1, .b = kH2}, TrafficTest{.kind = "circuit", .a = kH3, .b = kH2}};
  plan.rounds = {{0}, {1}};
  std::vector<Flow> flows = {flow(kH1, kH2, report("done", 9.0)), flow(kH3, kH2, report("failed", 0))};
  flows[1].round = 1;
  flows[1].test = 1;
  TrafficTally tally;
  for (auto& f : flows) judge(f, args);
  for (std::size_t t = 0; t < plan.tests.size(); ++t) {
    tally.add_test(test_verdict(plan.tests[t], t, flows_of_test(flows, t), args));
  }
  for (const auto& item : port_verdicts(flows)) tally.add_port(item);
  StepResult result;
  finish_step(result, tally, flows, plan, args);
  CHECK(result.message == "topology one: 2 circuit(s) in 2 round(s): 1 failed, 1 ok; 9 Gb/s in all, 9..9 Gb/s per flow");
  CHECK(result.data["circuits"]["h1:ocs0-h2:ocs0"]["status"] == "ok");
  CHECK(result.data["circuits"]["h1:ocs0-h2:ocs0"]["gbps"] == 9.0);
  CHECK(result.data["circuits"]["h3:ocs0-h2:ocs0"]["round"] == 2);
  CHECK(result.data["ports"]["h2:ocs0"]["status"] == "failed");
  CHECK(result.data["ports"]["h2:ocs0"]["rx_gbps"] == 9.0);
  CHECK(result.data["counts"]["ok"] == 1);
  CHECK(result.data["measured_flows"] == 1);
  CHECK(result.data["mean_gbps"] == 9.0);
  CHECK(result.data["flows"] == 2);

  TrafficTally empty;
  StepResult none;
  finish_step(none, empty, {}, TrafficPlan{.label = "0 pair(s)"}, args);
  CHECK(none.message == "0 pair(s): 0 circuit(s) in 0 round(s): nothing to test");
  CHECK_FALSE(none.data.contains("min_gbps"));
}
