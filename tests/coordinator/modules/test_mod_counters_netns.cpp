// health.counters against real agents in namespaces, veth pairs as the cables: a flap (the far end
// set down and up again) raises carrier_changes by exactly 2 on both ends of the cable, and the
// module records exactly that delta around it (mark / since) and since the last run (through the
// results store); a killed agent fails its own ports, with observations that have no value.
#include <catch2/catch.hpp>
#include <csignal>
#include <sys/wait.h>

#include "coordinator/health/health_ledger.hpp"
#include "coordinator/modules/health_counters.hpp"
#include "coordinator/store/counter_snapshots.hpp"
#include "coordinator/store/store.hpp"
#include "tests/coordinator/support/coord_lab.hpp"
#include "tests/coordinator/support/step_harness.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

const char* kCountersTopology = R"(name: T
circuits:
  - h1:p1 - h2:q1
)";

void add_two_cabled_hosts(CoordLab& lab) {
  lab.add_host("h1", {{.name = "p1", .cabling = "port: 1"}, {.name = "p2", .cabling = "port: 2"}});
  lab.add_host("h2", {{.name = "q1", .cabling = "port: 3"}, {.name = "q2", .cabling = "port: 4"}});
  lab.cable("h1", "p1", "h2", "q1");
  lab.cable("h1", "p2", "h2", "q2");
}

StepResult step(CoordLab& lab, StepHarness& h, HealthCountersModule& module, const json& args) {
  return lab.net.run_in(lab.coord_ns, [&] { return h.run(module, args); });
}

// The observation of one port and figure in the run's ledger; none: nullopt.
std::optional<health::Observation> observation(StepHarness& h, const std::string& part, const std::string& figure) {
  for (const auto& o : health::ledger_of(h.state).snapshot().observations) {
    if (o.part == part && o.figure == figure) return o;
  }
  return std::nullopt;
}

// Sets a port down and up again: one carrier loss and one carrier return on both ends of the veth.
void flap(CoordLab& lab, const std::string& host, const std::string& port) {
  lab.ip(host, "link set dev " + port + " down");
  lab.ip(host, "link set dev " + port + " up");
}

}  // namespace

TEST_CASE("health.counters: a flap around a mark, and since the last run", "[integration][counters]") {
  CoordLab lab;
  add_two_cabled_hosts(lab);
  lab.start_agents();
  StepHarness h(lab.inventory_yaml(), kCountersTopology, lab.dir(), lab.dir() + "/leases");
  const std::string db = lab.dir() + "/results.db";
  h.state.db_path = db;
  HealthCountersModule module;

  // The first night: nothing to diff against, said, not a failure; this reading is saved.
  auto r = step(lab, h, module, {{"since", "last-run"}});
  INFO(r.message);
  REQUIRE(r.ok);
  CHECK(r.data.at("baseline_only") == true);
  CHECK_THAT(r.message, Catch::Contains("no earlier run saved counters"));
  CHECK(h.sink.items().size() == 4);
  for (const auto& it : h.sink.items()) CHECK(it.status == "ok");
  CHECK(health::ledger_of(h.state).snapshot().observations.empty());

  // The next night (a new run): a mark, a flap of q1, the deltas since the mark.
  h.state.run_id = "test-run-2";
  h.state.health.reset();
  h.sink.clear();
  r = step(lab, h, module, {{"mark", "before-flap"}});
  INFO(r.message);
  REQUIRE(r.ok);
  flap(lab, "h2", "q1");
  r = step(lab, h, module, {{"since", "before-flap"}});
  INFO(r.message);
  REQUIRE(r.ok);
  for (const std::string part : {"h1:p1", "h2:q1"}) {
    INFO(part);
    const auto o = observation(h, part, "carrier_changes");
    REQUIRE(o);
    REQUIRE(o->value);
    CHECK(*o->value == 2.0);
    CHECK_THAT(o->source, Catch::StartsWith("counters since mark 'before-flap' ("));
  }
  for (const std::string part : {"h1:p2", "h2:q2"}) {
    const auto o = observation(h, part, "carrier_changes");
    REQUIRE(o);
    CHECK(o->value == 0.0);
  }
  CHECK(observation(h, "h1:p1", "rx_crc_errors").has_value());
  CHECK_FALSE(observation(h, "h1:p1", "symbol_error").has_value());   // no RDMA device on a veth

  // Since the last run: the same flap, and one more on p2's cable now.
  flap(lab, "h1", "p2");
  h.state.health.reset();
  r = step(lab, h, module, {{"since", "last-run"}});
  INFO(r.message);
  REQUIRE(r.ok);
  CHECK(r.data.at("since") == "run test-run");
  CHECK(observation(h, "h1:p1", "carrier_changes")->value == 2.0);
  CHECK(observation(h, "h2:q1", "carrier_changes")->value == 2.0);
  CHECK(observation(h, "h1:p2", "carrier_changes")->value == 2.0);
  CHECK(observation(h, "h2:q2", "carrier_changes")->value == 2.0);
  CHECK_THAT(observation(h, "h1:p1", "carrier_changes")->source, Catch::StartsWith("counters since run test-run ("));

  // This run saved its own reading: a third run diffs against it.
  auto store = ResultsStore::open(db);
  REQUIRE(store);
  auto snaps = CounterSnapshotStore::attach((*store)->handle());
  REQUIRE(snaps);
  auto latest = snaps->latest(kLastRunMark, "test-run-3");
  REQUIRE(latest);
  REQUIRE(latest->has_value());
  CHECK((*latest)->run_id == "test-run-2");
  CHECK((*latest)->hosts.size() == 2);
}

TEST_CASE("health.counters: a killed agent fails its own ports, never drops them", "[integration][counters]") {
  CoordLab lab;
  add_two_cabled_hosts(lab);
  lab.start_agents();
  StepHarness h(lab.inventory_yaml(), kCountersTopology, lab.dir(), lab.dir() + "/leases");
  HealthCountersModule module;
  auto r = step(lab, h, module, {{"mark", "m"}});
  REQUIRE(r.ok);
  REQUIRE(::kill(lab.host("h2").agent->pid(), SIGKILL) == 0);
  ::waitpid(lab.host("h2").agent->pid(), nullptr, 0);
  h.sink.clear();
  r = step(lab, h, module, {{"since", "m"}, {"deadline", 5}});
  INFO(r.message);
  REQUIRE(r.ok);
  for (const std::string part : {"h2:q1", "h2:q2"}) {
    INFO(part);
    const ItemResult* it = h.sink.find(part);
    REQUIRE(it != nullptr);
    CHECK(it->status == "unreachable");
    const auto o = observation(h, part, "counters");
    REQUIRE(o);
    CHECK_FALSE(o->value);
    CHECK_FALSE(o->why_missing.empty());
  }
  CHECK(health::ledger_of(h.state).snapshot().unreachable_hosts == std::set<std::string>{"h2"});
  CHECK(h.sink.find("h1:p1")->status == "ok");
  CHECK(observation(h, "h1:p1", "carrier_changes")->value == 0.0);

  // A mark this run never took is the step's error, naming the argument.
  r = step(lab, h, module, {{"since", "never-marked"}});
  CHECK_FALSE(r.ok);
  CHECK_THAT(r.message, Catch::Contains("never-marked"));
}
