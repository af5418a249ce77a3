// ocs.apply and ocs.clear against the OCS emulator in process (Polatis TL1 and RESTCONF): the
// changes counted in the emulator's ground truth, fewest-changes versus replace, check mode
// touching nothing, and a second coordinator refused the lease with the holder named.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <unistd.h>

#include "tests/support/scratch_dir.hpp"
#include "coordinator/modules/ocs_apply.hpp"
#include "coordinator/modules/ocs_clear.hpp"
#include "tests/coordinator/support/step_harness.hpp"
#include "tools/ocs-emu/emulator.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

// Six hosts, one NIC port each, on a 16x16 switch: TX on input i, RX on output 16+i.
std::string inventory(const std::string& uri) {
  std::string y = "version: 1\nname: ocs-test\nhosts:\n";
  for (int i = 1; i <= 6; ++i) {
    y += "  - name: h" + std::to_string(i) + "\n    agent: {url: \"http://127.0.0.1:9\"}\n    ports:\n";
    y += "      - name: ocs0\n        ocs: {switch: ocs1, tx: " + std::to_string(i) + ", rx: " + std::to_string(16 + i) + "}\n";
  }
  y += "switches:\n  - name: ocs1\n    kind: ocs\n    uri: \"" + uri + "\"\n";
  return y;
}

const char* kTopologies = R"(topologies:
  - name: A
    circuits: ["h1:ocs0 - h2:ocs0", "h3:ocs0 - h4:ocs0", "h5:ocs0 - h6:ocs0"]
  - name: B
    circuits: ["h1:ocs0 - h2:ocs0", "h3:ocs0 - h5:ocs0", "h4:ocs0 - h6:ocs0"]
)";

struct Counted {
  int connects = 0;
  int disconnects = 0;
};

Counted count_since(const ocs_emu::Emulator& emu, std::uint64_t after_id) {
  Counted c;
  for (const auto& r : emu.ground_truth_since(after_id)) {
    if (r.kind == "connect") ++c.connects;
    if (r.kind == "disconnect") ++c.disconnects;
  }
  return c;
}

std::uint64_t last_id(const ocs_emu::Emulator& emu) {
  const auto all = emu.ground_truth();
  return all.empty() ? 0 : all.back().id;
}

std::vector<ocs_emu::Connection> ours(const ocs_emu::Emulator& emu) {
  std::vector<ocs_emu::Connection> out;
  for (const auto& c : emu.connections()) {
    if (c.from <= 6) out.push_back(c);
  }
  return out;
}

// NxM: a circuit hA - hB is inA -> out(16+B) and inB -> out(16+A).
std::vector<ocs_emu::Connection> expected(const std::vector<std::pair<int, int>>& circuits) {
  std::vector<ocs_emu::Connection> out;
  for (auto [a, b] : circuits) {
    out.push_back({a, 16 + b, false});
    out.push_back({b, 16 + a, false});
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.from < y.from; });
  return out;
}

}  // namespace

TEST_CASE("ocs.apply: fewest changes versus replace, counted in the emulator's ground truth", "[integration][ocs]") {
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  const bool rest = GENERATE(false, true);
  const std::string uri = rest ? "polatis-rest://admin:root@127.0.0.1:" + std::to_string(emu.rest_port())
                               : "polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port());
  INFO(uri);
  // Someone else's connection on ports the inventory does not know: never touched.
  REQUIRE(emu.preset({{9, 25, false}}));
  mixnet::testing::ScratchDir dir("mixnet-ocs-mod");
  StepHarness h(inventory(uri), kTopologies, dir.path, dir.path + "/leases");
  OcsApplyModule apply;

  // From empty: all six cross-connects are made.
  std::uint64_t mark = last_id(emu);
  auto r = h.run(apply, {{"topology", "A"}});
  INFO(r.message);
  REQUIRE(r.ok);
  CHECK(r.changed);
  REQUIRE(emu.wait_settled(std::chrono::seconds(5)));
  CHECK(ours(emu) == expected({{1, 2}, {3, 4}, {5, 6}}));
  auto c = count_since(emu, mark);
  CHECK(c.connects == 6);
  CHECK(c.disconnects == 0);
  CHECK(h.state.topology_of_switch.at("ocs1") == "A");
  const auto* item = h.sink.find("h3:ocs0-h4:ocs0");
  REQUIRE(item != nullptr);
  CHECK(item->status == "ok");
  CHECK(item->kind == "circuit");
  CHECK(item->data.at("t_cmd_ns").get<std::int64_t>() > 0);
  CHECK(item->data.at("t_ack_ns").get<std::int64_t>() >= item->data.at("t_cmd_ns").get<std::int64_t>());
  CHECK(item->hosts == std::vector<std::string>{"h3", "h4"});

  // A -> B with fewest changes: h1-h2 stays; 4 broken, 4 made.
  mark = last_id(emu);
  h.sink.clear();
  r = h.run(apply, {{"topology", "B"}});
  REQUIRE(r.ok);
  REQUIRE(emu.wait_settled(std::chrono::seconds(5)));
  CHECK(ours(emu) == expected({{1, 2}, {3, 5}, {4, 6}}));
  c = count_since(emu, mark);
  CHECK(c.connects == 4);
  CHECK(c.disconnects == 4);
  CHECK(r.data.at("switches").at("ocs1").at("keep").size() == 2);
  CHECK(h.sink.find("h1:ocs0-h2:ocs0")->message == "already in place");
  CHECK(h.sink.find("h1:ocs0-h2:ocs0")->data.at("action") == "keep");
  CHECK(h.sink.find("h3:ocs0-h5:ocs0")->data.at("action") == "make");

  // B again: nothing to do, nothing sent.
  mark = last_id(emu);
  r = h.run(apply, {{"topology", "B"}});
  REQUIRE(r.ok);
  CHECK_FALSE(r.changed);
  c = count_since(emu, mark);
  CHECK(c.connects + c.disconnects == 0);

  // B with replace: every connection on our ports broken and made again.
  mark = last_id(emu);
  r = h.run(apply, {{"topology", "B"}, {"mode", "replace"}});
  REQUIRE(r.ok);
  CHECK(r.changed);
  REQUIRE(emu.wait_settled(std::chrono::seconds(5)));
  c = count_since(emu, mark);
  CHECK(c.connects == 6);
  CHECK(c.disconnects == 6);
  CHECK(ours(emu) == expected({{1, 2}, {3, 5}, {4, 6}}));

  // The foreign connection survived all of it.
  const auto all = emu.connections();
  CHECK(std::find(all.begin(), all.end(), ocs_emu::Connection{9, 25, false}) != all.end());
}

TEST_CASE("ocs.apply after a dropped switch session: times from the first command, the recovery said", "[integration][ocs]") {
  // The switch applies the ENT-PATCH and drops the session before replying; the driver recovers.
  // The circuits' t_cmd_ns must be the first ENT-PATCH (no later than the switch received it), not
  // the re-read after reconnecting, and the items and the step data must say a session was recovered.
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(20);
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  const std::string uri = "polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port()) + "?keepalive-s=0";
  mixnet::testing::ScratchDir dir("mixnet-ocs-mod");
  StepHarness h(inventory(uri), kTopologies, dir.path, dir.path + "/leases");
  OcsApplyModule apply;
  emu.arm_drop_session({ocs_emu::DropWhen::after_apply, "ENT-PATCH", 1});
  auto r = h.run(apply, {{"topology", "A"}});
  INFO(r.message);
  REQUIRE(r.ok);
  REQUIRE(emu.wait_settled(std::chrono::seconds(5)));
  CHECK(emu.counters().sessions_dropped == 1);
  CHECK(ours(emu) == expected({{1, 2}, {3, 4}, {5, 6}}));
  const auto changes = emu.ground_truth();
  REQUIRE(changes.size() == 6);   // each cross-connect made once
  const auto& sw = r.data.at("switches").at("ocs1");
  CHECK(sw.at("recoveries") == 1);
  CHECK(sw.at("recovery_cause").get<std::string>().find("ENT-PATCH") != std::string::npos);
  const auto* item = h.sink.find("h3:ocs0-h4:ocs0");
  REQUIRE(item != nullptr);
  CHECK(item->status == "ok");
  CHECK(item->data.at("recoveries") == 1);
  CHECK(item->message.find("after 1 session recovery") != std::string::npos);
  const auto t_cmd = item->data.at("t_cmd_ns").get<std::int64_t>();
  const auto t_ack = item->data.at("t_ack_ns").get<std::int64_t>();
  for (const auto& c : changes) {
    CHECK(t_cmd <= c.received_ns);
    CHECK(t_ack > c.received_ns);
  }
  CHECK(item->started_ns == t_cmd);
}

TEST_CASE("ocs.apply --check lists the changes and touches nothing, ocs.clear leaves foreign connections", "[integration][ocs]") {
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  const std::string uri = "polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port());
  REQUIRE(emu.preset({{1, 18, false}, {2, 17, false}, {9, 25, false}}));
  mixnet::testing::ScratchDir dir("mixnet-ocs-mod");
  StepHarness check(inventory(uri), kTopologies, dir.path, dir.path + "/leases", true);
  OcsApplyModule apply;
  OcsClearModule clear;

  const std::uint64_t mark = last_id(emu);
  auto r = check.run(apply, {{"topology", "A"}}, true);
  INFO(r.message);
  REQUIRE(r.ok);
  CHECK(r.changed);
  CHECK(r.message.find("would apply") != std::string::npos);
  CHECK(r.data.at("switches").at("ocs1").at("make").size() == 4);
  CHECK(r.data.at("switches").at("ocs1").at("keep").size() == 2);
  CHECK(check.sink.find("h3:ocs0-h4:ocs0")->status == "skipped");
  CHECK(check.sink.find("h3:ocs0-h4:ocs0")->message == "would make 3->20, 4->19");
  CHECK(check.state.topology_of_switch.empty());
  auto cr = check.run(clear, json::object(), true);
  REQUIRE(cr.ok);
  CHECK(cr.message == "would break 2 connection(s) on 1 switch(es)");
  // Nothing reached the switch: no ground-truth record, the same connections.
  CHECK(emu.ground_truth_since(mark).empty());
  CHECK(emu.connections().size() == 3);
  // And check mode took no lease.
  const auto lock_file = dir.path + "/leases/ocs-127.0.0.1_" + std::to_string(emu.tl1_port()) + ".lock";
  CHECK_FALSE(read_lease_file(lock_file).has_value());

  StepHarness real(inventory(uri), kTopologies, dir.path, dir.path + "/leases");
  auto cleared = real.run(clear, json::object());
  REQUIRE(cleared.ok);
  CHECK(cleared.changed);
  REQUIRE(emu.wait_settled(std::chrono::seconds(5)));
  CHECK(emu.connections() == std::vector<ocs_emu::Connection>{{9, 25, false}});
  CHECK(real.sink.find("ocs1")->status == "ok");
  auto everything = real.run(clear, {{"everything", true}});
  REQUIRE(everything.ok);
  REQUIRE(emu.wait_settled(std::chrono::seconds(5)));
  CHECK(emu.connections().empty());
}

TEST_CASE("a second coordinator is refused the switch's lease, naming the holder", "[integration][ocs][lease]") {
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start());
  const std::string uri = "polatis-tl1://admin:root@127.0.0.1:" + std::to_string(emu.tl1_port());
  mixnet::testing::ScratchDir dir("mixnet-ocs-mod");
  StepHarness first(inventory(uri), kTopologies, dir.path, dir.path + "/leases");
  first.state.run_id = "run-first";
  first.make_pools(false);
  OcsApplyModule apply;
  REQUIRE(first.run(apply, {{"topology", "A"}}).ok);

  StepHarness second(inventory(uri), kTopologies, dir.path, dir.path + "/leases");
  second.state.run_id = "run-second";
  second.make_pools(false);
  const std::uint64_t mark = last_id(emu);
  auto r = second.run(apply, {{"topology", "B"}});
  INFO(r.message);
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("leased by another coordinator") != std::string::npos);
  CHECK(r.message.find("pid " + std::to_string(::getpid())) != std::string::npos);
  CHECK(r.message.find("run run-first") != std::string::npos);
  const auto* item = second.sink.find("h1:ocs0-h2:ocs0");
  REQUIRE(item != nullptr);
  CHECK(item->status == "failed");
  CHECK(item->message.find("run run-first") != std::string::npos);
  CHECK(emu.ground_truth_since(mark).empty());

  // The first run ends (its pools go): the second may now drive the switch.
  first.pools.reset();
  second.make_pools(false);
  second.sink.clear();
  auto again = second.run(apply, {{"topology", "B"}});
  INFO(again.message);
  CHECK(again.ok);
}

TEST_CASE("ocs.apply and ocs.clear validate their arguments, naming the bad one", "[integration][ocs]") {
  mixnet::testing::ScratchDir dir("mixnet-ocs-mod");
  StepHarness h(inventory("polatis-tl1://admin@127.0.0.1:3082"), kTopologies, dir.path, dir.path + "/leases");
  OcsApplyModule apply;
  OcsClearModule clear;
  CHECK(h.validate(apply, {{"topology", "A"}}));
  CHECK(h.validate(apply, {{"topology", "{{ next_topology }}"}}));
  auto unknown = h.validate(apply, {{"topology", "Z"}});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().field == "topology");
  CHECK(unknown.error().message.find("known: A, B") != std::string::npos);
  CHECK(h.validate(apply, json::object()).error().field == "topology");
  CHECK(h.validate(apply, {{"topology", "A"}, {"mode", "all"}}).error().field == "mode");
  CHECK(h.validate(apply, {{"topology", "A"}, {"switch", "x"}}).error().field == "switch");
  CHECK(h.validate(clear, json::object()));
  CHECK(h.validate(clear, {{"switch", "ocs9"}}).error().field == "switch");
  CHECK(h.validate(clear, {{"everything", "maybe"}}).error().field == "everything");
}
