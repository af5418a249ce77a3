// The one switch loop (coordinator/ocs/apply_topology.hpp) against fake switches: what each
// switch's turn reports (plan, times, failure and where it happened, the circuits through it),
// switches driven at once (a failed one fails only its own circuits), cancel before a switch is
// touched, and plan-only runs that send nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <map>

#include "tests/support/scratch_dir.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/ocs/apply_topology.hpp"
#include "coordinator/ocs/switch_pool.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// What one fake switch holds and is asked.
struct FakeState {
  std::vector<ocs::CrossConnect> connections;
  std::vector<ocs::ChangeSet> applied;
  int opened = 0;
  bool fail_list = false;
  bool fail_apply = false;
  std::int64_t clock_ns = 1000;   // each change set is sent at clock_ns and acknowledged 10 ns later
  std::function<void()> on_apply;   // runs as a change set arrives, before it is applied
};

class FakeSwitch final : public ocs::OpticalSwitch {
 public:
  explicit FakeSwitch(FakeState* s) : s_(s) {}
  Result<ocs::Timed<ocs::SwitchInfo>> info() override { return ocs::Timed<ocs::SwitchInfo>{}; }
  Result<ocs::Timed<std::vector<ocs::CrossConnect>>> list() override {
    if (s_->fail_list) return fail(Errc::timeout, "no reply");
    return ocs::Timed<std::vector<ocs::CrossConnect>>{s_->connections, {}};
  }
  Result<ocs::Timed<ocs::Done>> apply(const ocs::ChangeSet& cs) override {
    if (s_->on_apply) s_->on_apply();
    if (s_->fail_apply) return fail(Errc::denied, "DENY");
    s_->applied.push_back(cs);
    std::erase_if(s_->connections, [&](const ocs::CrossConnect& c) {
      return std::find(cs.disconnect.begin(), cs.disconnect.end(), c.from) != cs.disconnect.end();
    });
    s_->connections.insert(s_->connections.end(), cs.connect.begin(), cs.connect.end());
    ocs::Timing t{.sent_ns = s_->clock_ns, .acked_ns = s_->clock_ns + 10, .recoveries = 1, .recovery_cause = "lost session"};
    s_->clock_ns += 100;
    return ocs::Timed<ocs::Done>{{}, t};
  }
  Result<ocs::Timed<std::vector<ocs::PortState>>> port_status(const std::vector<ocs::PortId>&) override {
    return ocs::Timed<std::vector<ocs::PortState>>{};
  }
  Result<ocs::Timed<std::vector<ocs::PortPower>>> power(const std::vector<ocs::PortId>&) override {
    return ocs::Timed<std::vector<ocs::PortPower>>{};
  }
  Result<ocs::Timed<ocs::Done>> set_port_enabled(const ocs::PortId&, bool) override { return ocs::Timed<ocs::Done>{}; }

 private:
  FakeState* s_;
};

// Two 8x8 switches: h1..h4 on ocsA (TX on input i, RX on output 8+i), h5, h6 on ocsB.
const char* kApplyInventory = R"(version: 1
name: loop-test
hosts:
  - {name: h1, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsA, tx: 1, rx: 9}}]}
  - {name: h2, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsA, tx: 2, rx: 10}}]}
  - {name: h3, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsA, tx: 3, rx: 11}}]}
  - {name: h4, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsA, tx: 4, rx: 12}}]}
  - {name: h5, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsB, tx: 1, rx: 9}}]}
  - {name: h6, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsB, tx: 2, rx: 10}}]}
switches:
  - {name: ocsA, kind: ocs, uri: "polatis-tl1://admin:root@127.0.0.1:13101"}
  - {name: ocsB, kind: ocs, uri: "polatis-tl1://admin:root@127.0.0.1:13102"}
)";

const char* kApplyTopologies = R"(topologies:
  - name: T
    circuits: ["h1:p - h2:p", "h3:p - h4:p", "h5:p - h6:p"]
)";

struct ApplyLab {
  mixnet::testing::ScratchDir dir{"mixnet-apply-topology-test"};
  Inventory inventory;
  Topology topology;
  std::map<std::string, FakeState> state;   // by URI port: "13101" is ocsA
  std::unique_ptr<SwitchPool> pool;

  explicit ApplyLab(bool check_mode = false, const std::string& inventory_yaml = kApplyInventory) {
    auto inv = parse_inventory(inventory_yaml, "inventory.yaml", dir.path);
    REQUIRE(inv);
    inventory = std::move(*inv);
    auto topos = parse_topology_text(kApplyTopologies, "topologies.yaml", inventory);
    REQUIRE(topos);
    topology = std::move(topos->front());
    SwitchPoolOptions o{.lease_dir = dir.path, .run_id = "run", .holder = "test", .check_mode = check_mode};
    state["13101"];   // both exist before the switches are opened, from two threads at once
    state["13102"];
    o.opener = [this](const std::string& uri) -> Result<std::unique_ptr<ocs::OpticalSwitch>> {
      FakeState& s = state.at(uri.substr(uri.rfind(':') + 1));
      ++s.opened;
      return std::make_unique<FakeSwitch>(&s);
    };
    auto p = make_switch_pool(inventory, o);
    REQUIRE(p);
    pool = std::move(*p);
  }
  FakeState& a() { return state["13101"]; }
  FakeState& b() { return state["13102"]; }
};

}  // namespace

TEST_CASE("apply_topology: every cabled switch in one change set, the times and the circuits made", "[unit][ocs]") {
  ApplyLab lab;
  lab.a().connections = {{"1", "10", false}, {"2", "9", false}, {"3", "9", false}};   // h1-h2 right, 3 -> 9 wrong
  std::vector<std::string> seen;
  const auto r = apply_topology(lab.topology, lab.inventory, *lab.pool,
                                {.on_switch = [&](const SwitchApplyOutcome& s) { seen.push_back(s.switch_name); }});
  std::sort(seen.begin(), seen.end());   // driven at once: reported as each ends
  CHECK(seen == std::vector<std::string>{"ocsA", "ocsB"});
  REQUIRE(r.switches.size() == 2);
  CHECK(r.first_failure() == nullptr);

  const auto& a = r.switches[0];
  CHECK(a.ok());
  REQUIRE(a.plan);
  CHECK(a.plan->keep.size() == 2);
  CHECK(a.plan->remove.size() == 1);
  CHECK(a.plan->make.size() == 2);
  REQUIRE(lab.a().applied.size() == 1);   // fewest changes: one change set
  REQUIRE(a.timing);
  CHECK(a.timing->sent_ns == 1000);
  CHECK(a.timing->acked_ns == 1010);
  REQUIRE(r.timing_of("ocsA") == &*a.timing);
  REQUIRE(a.circuits.size() == 2);
  CHECK(a.circuits[0].circuit->circuit.a.str() == "h1:p");
  CHECK(a.circuits[0].to_make.empty());        // already in place
  CHECK(a.circuits[1].to_make.size() == 2);    // 3 -> 12 and 4 -> 11

  CHECK(r.switches[1].circuits.size() == 1);
  CHECK(r.timing_of("nope") == nullptr);
}

TEST_CASE("apply_topology: replace sends the disconnects, then the connects, the times span both", "[unit][ocs]") {
  ApplyLab lab;
  lab.a().connections = {{"1", "10", false}};
  const auto r = apply_topology(lab.topology, lab.inventory, *lab.pool, {.mode = ApplyMode::replace});
  REQUIRE(lab.a().applied.size() == 2);
  CHECK(lab.a().applied[0].connect.empty());
  CHECK(lab.a().applied[1].disconnect.empty());
  const ocs::Timing* t = r.timing_of("ocsA");
  REQUIRE(t != nullptr);
  CHECK(t->sent_ns == 1000);
  CHECK(t->acked_ns == 1110);
  CHECK(t->recoveries == 2);
  CHECK(t->recovery_cause == "lost session");
}

TEST_CASE("apply_topology: a failed switch says where, and its circuits, and the other switch is applied", "[unit][ocs]") {
  SECTION("apply refused") {
    ApplyLab lab;
    lab.a().fail_apply = true;
    const auto r = apply_topology(lab.topology, lab.inventory, *lab.pool, {});
    REQUIRE(r.switches.size() == 2);
    const auto* f = r.first_failure();
    REQUIRE(f == &r.switches[0]);
    REQUIRE(f->failure);
    CHECK(f->failure->stage == SwitchApplyStage::apply);
    CHECK(f->failure->error.code == Errc::denied);
    CHECK(f->failure->error.message == "switch ocsA: apply: DENY");
    CHECK(f->plan);             // read and planned before the change failed
    CHECK_FALSE(f->timing);
    CHECK(f->circuits.size() == 2);
    CHECK(r.switches[1].ok());
    CHECK(lab.b().applied.size() == 1);
  }
  SECTION("list failed, the loop goes on") {
    ApplyLab lab;
    lab.a().fail_list = true;
    const auto r = apply_topology(lab.topology, lab.inventory, *lab.pool, {});
    REQUIRE(r.switches.size() == 2);
    REQUIRE(r.switches[0].failure);
    CHECK(r.switches[0].failure->stage == SwitchApplyStage::list);
    CHECK(r.switches[0].failure->error.message == "switch ocsA: list cross-connects: no reply");
    CHECK_FALSE(r.switches[0].plan);
    CHECK(r.switches[1].ok());
    CHECK(lab.b().applied.size() == 1);
  }
}

TEST_CASE("apply_topology: every switch is driven at once, outcomes reported one at a time", "[unit][ocs]") {
  ApplyLab lab;
  // ocsA's change set waits for ocsB's to arrive: one switch after the other would wait in vain
  // (bounded: 10 s, then it goes on and the check below fails).
  std::mutex m;
  std::condition_variable cv;
  bool b_arrived = false;
  bool a_saw_b = false;
  lab.a().on_apply = [&] {
    std::unique_lock lock(m);
    a_saw_b = cv.wait_for(lock, std::chrono::seconds(10), [&] { return b_arrived; });
  };
  lab.b().on_apply = [&] {
    std::lock_guard lock(m);
    b_arrived = true;
    cv.notify_all();
  };
  std::atomic<int> reporting{0};
  std::atomic<bool> overlapped{false};
  std::vector<std::string> reported;
  const auto r = apply_topology(lab.topology, lab.inventory, *lab.pool, {.on_switch = [&](const SwitchApplyOutcome& sw) {
                                  if (reporting.fetch_add(1) != 0) overlapped = true;
                                  reported.push_back(sw.switch_name);
                                  reporting.fetch_sub(1);
                                }});
  CHECK(a_saw_b);
  CHECK_FALSE(overlapped.load());
  REQUIRE(r.switches.size() == 2);
  CHECK(r.switches[0].switch_name == "ocsA");   // the result stays in inventory order
  CHECK(r.switches[0].ok());
  CHECK(r.switches[1].ok());
  std::sort(reported.begin(), reported.end());
  CHECK(reported == std::vector<std::string>{"ocsA", "ocsB"});
}

TEST_CASE("apply_topology: cancel fails every later switch before it is touched", "[unit][ocs]") {
  ApplyLab lab;
  std::atomic<bool> cancel{true};
  const auto r = apply_topology(lab.topology, lab.inventory, *lab.pool, {.cancel = &cancel});
  REQUIRE(r.switches.size() == 2);
  for (const auto& s : r.switches) {
    REQUIRE(s.failure);
    CHECK(s.failure->stage == SwitchApplyStage::cancelled);
    CHECK(s.failure->error.message == "switch " + s.switch_name + ": cancelled before the switch was touched");
  }
  CHECK(lab.a().opened == 0);
  CHECK(lab.b().opened == 0);
}

TEST_CASE("apply_topology: plan only reads and plans, sends nothing", "[unit][ocs]") {
  ApplyLab lab(true);
  const auto r = apply_topology(lab.topology, lab.inventory, *lab.pool, {.plan_only = true});
  REQUIRE(r.switches.size() == 2);
  for (const auto& s : r.switches) {
    CHECK(s.ok());
    REQUIRE(s.plan);
    CHECK(s.plan->make.size() == 2 * s.circuits.size());
    CHECK_FALSE(s.timing);
  }
  CHECK(lab.a().applied.empty());
  CHECK(lab.b().applied.empty());
}

TEST_CASE("apply_topology: a topology confined to a region drives that region's switch and leaves the other's circuits", "[unit][ocs][region]") {
  ApplyLab lab;
  // ocsB (region b) holds a circuit of its own that a region-a topology must not touch.
  lab.b().connections = {ocs::CrossConnect{"1", "10", false}, ocs::CrossConnect{"2", "9", false}};
  std::string inventory_text = kApplyInventory;
  const auto at = [&](const std::string& what) { return inventory_text.find(what); };
  inventory_text.insert(at("kind: ocs, uri: \"polatis-tl1://admin:root@127.0.0.1:13101\""), "region: a, ");
  inventory_text.insert(at("kind: ocs, uri: \"polatis-tl1://admin:root@127.0.0.1:13102\""), "region: b, ");
  auto inv = parse_inventory(inventory_text, "inventory.yaml", lab.dir.path);
  REQUIRE(inv);
  CHECK(inv->regions() == std::vector<std::string>{"a", "b"});
  auto topos = parse_topology_text("topologies:\n  - {name: A, region: a, circuits: [\"h1:p - h3:p\", \"h2:p - h4:p\"]}\n",
                                   "topologies.yaml", *inv);
  REQUIRE(topos);
  REQUIRE(topos->front().region == "a");

  const TopologyApplyResult result = apply_topology(topos->front(), *inv, *lab.pool, {});
  REQUIRE(result.switches.size() == 1);
  CHECK(result.switches.front().switch_name == "ocsA");
  CHECK(result.switches.front().ok());
  CHECK(lab.a().connections.size() == 4);
  CHECK(lab.b().opened == 0);   // never even opened
  CHECK(lab.b().connections.size() == 2);
}

TEST_CASE("topologies and regions: a circuit outside the region, an unknown region, a region-confined cover", "[unit][ocs][region]") {
  mixnet::testing::ScratchDir dir{"mixnet-region-topology-test"};
  std::string inventory_text = kApplyInventory;
  const auto at = [&](const std::string& what) { return inventory_text.find(what); };
  inventory_text.insert(at("kind: ocs, uri: \"polatis-tl1://admin:root@127.0.0.1:13101\""), "region: a, ");
  inventory_text.insert(at("kind: ocs, uri: \"polatis-tl1://admin:root@127.0.0.1:13102\""), "region: b, ");
  auto inv = parse_inventory(inventory_text, "inventory.yaml", dir.path);
  REQUIRE(inv);

  auto outside = parse_topology_text("topologies:\n  - {name: A, region: a, circuits: [\"h5:p - h6:p\"]}\n", "t.yaml", *inv);
  REQUIRE_FALSE(outside);
  CHECK(outside.error().field == "circuits");
  CHECK_THAT(outside.error().message, Catch::Contains("switch ocsB is in region b, not the topology's region a"));

  auto unknown = parse_topology_text("topologies:\n  - {name: A, region: z, circuits: []}\n", "t.yaml", *inv);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().field == "region");
  CHECK_THAT(unknown.error().message, Catch::Contains("known: a, b"));

  auto cover = parse_topology_text("topologies:\n  - {name: c, region: b, generate: cover}\n", "t.yaml", *inv);
  REQUIRE(cover);
  for (const auto& t : *cover) {
    CHECK(t.region == "b");
    for (const auto& rc : t.resolved) CHECK(rc.switch_name == "ocsB");
  }
  REQUIRE_FALSE(cover->front().resolved.empty());

  // A switch without `region:` is a region of its own, named after it; an EPS has none.
  auto plain = parse_inventory(kApplyInventory, "inventory.yaml", dir.path);
  REQUIRE(plain);
  CHECK(plain->regions() == std::vector<std::string>{"ocsA", "ocsB"});
  auto eps_region = parse_inventory(std::string(kApplyInventory) + "  - {name: e1, kind: eps, region: a}\n", "inventory.yaml", dir.path);
  REQUIRE_FALSE(eps_region);
  CHECK(eps_region.error().field == "switches[2].region");
}

TEST_CASE("apply_topology: a switch with ports the inventory has not mapped is not touched, and says which", "[unit][ocs]") {
  // h7 and h8 are on ocsB, their switch ports unknown: T's h5 - h6 cannot be planned there
  // without knowing which of ocsB's ports are ours.
  std::string yaml = kApplyInventory;
  yaml.insert(yaml.find("switches:"),
              "  - {name: h7, agent: {url: \"http://127.0.0.1:9\"}, ports: [{name: p, ocs: {switch: ocsB}}]}\n"
              "  - {name: h8, agent: {url: \"http://127.0.0.1:9\"}, ports: [{name: p, ocs: {switch: ocsB}}]}\n");
  ApplyLab lab(false, yaml);
  const auto r = apply_topology(lab.topology, lab.inventory, *lab.pool, {});
  REQUIRE(r.switches.size() == 2);
  CHECK(r.switches[0].ok());
  CHECK(lab.a().applied.size() == 1);
  const auto& b = r.switches[1];
  REQUIRE(b.failure);
  CHECK(b.failure->stage == SwitchApplyStage::cabling);
  CHECK(b.failure->error.cause == Cause::cabling_unmapped);
  CHECK(b.failure->error.message ==
        "switch ocsB: no cabling map for h7:p, h8:p (the inventory says only `ocs: {switch: ocsB}`; run `mixnet-coord cabling discover`)");
  CHECK(b.circuits.size() == 1);   // h5 - h6 fails with it
  CHECK(lab.b().opened == 0);
  CHECK(lab.b().applied.empty());
}
