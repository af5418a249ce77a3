// counter_records: what health.counters records from two snapshots: one Observation per port and
// counter delta (the figure named after the counter, the window in the source, resets said), an
// item per inventory port, and ports whose counters could not be read kept as failures with an
// Observation without a value, never dropped.
#include <catch2/catch.hpp>

#include "coordinator/modules/counter_records.hpp"
#include "tests/coordinator/support/model_fixture.hpp"
#include "tests/coordinator/support/counter_samples.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using health::CounterSnapshot;
using health::HostCounters;
using wire::CounterReading;

namespace {

using mixnet::coord::testing::answered;

const char* kCountersInventory = R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1"}
    ports:
      - {name: ocs0, address: 198.18.1.1/16, ocs: {switch: ocs1, tx: 1, rx: 17}}
      - {name: ocs1, address: 198.18.2.1/16, ocs: {switch: ocs1, tx: 2, rx: 18}}
  - name: h2
    agent: {url: "http://127.0.0.1:2"}
    ports:
      - {name: ocs0, address: 198.18.1.2/16, ocs: {switch: ocs1, tx: 3, rx: 19}}
switches:
  - {name: ocs1, kind: ocs, uri: "polatis-tl1://a@127.0.0.1:1"}
)";

const char* kCountersTopologies = R"(version: 1
topologies:
  - name: t
    circuits:
      - h1:ocs0 - h2:ocs0
)";

constexpr std::int64_t kHour = 3600LL * 1'000'000'000LL;

wire::PortCounters port(const std::string& name, std::uint64_t carrier, std::uint64_t crc) {
  wire::PortCounters p;
  p.name = name;
  p.ifindex = 5;
  p.netdev["carrier_changes"] = CounterReading::of(carrier);
  p.netdev["rx_crc_errors"] = CounterReading::of(crc);
  return p;
}

const health::Observation* obs(const CounterRecords& r, const std::string& part, const std::string& figure) {
  for (const auto& o : r.observations) {
    if (o.part == part && o.figure == figure) return &o;
  }
  return nullptr;
}

const ItemResult* item(const CounterRecords& r, const std::string& id) {
  for (const auto& i : r.items) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("counter records: deltas since the last run become observations, one item per port", "[health][counters]") {
  coord::testing::ModelFixture m(kCountersInventory, kCountersTopologies);
  CounterSnapshot before{.run_id = "R1", .mark = "last-run", .taken_ns = 1, .hosts = {}};
  before.hosts.push_back(answered("h1", "b1", 10 * kHour, {port("ocs0", 2, 0), port("ocs1", 1, 7)}));
  before.hosts.push_back(answered("h2", "b2", 10 * kHour, {port("ocs0", 4, 0)}));
  CounterSnapshot after{.run_id = "R2", .mark = "last-run", .taken_ns = 2, .hosts = {}};
  after.hosts.push_back(answered("h1", "b1", 22 * kHour, {port("ocs0", 5, 0), port("ocs1", 1, 9)}));
  after.hosts.push_back(answered("h2", "b2-rebooted", 22 * kHour, {port("ocs0", 2, 0)}));

  const auto r = counter_records(m.inventory, {"h1", "h2"}, &before, after, CounterWindow{"run R1"});
  const auto* flaps = obs(r, "h1:ocs0", "carrier_changes");
  REQUIRE(flaps);
  CHECK(flaps->value == 3.0);
  CHECK(flaps->unit == "count");
  CHECK(flaps->kind == health::PartKind::port);
  CHECK(flaps->source == "counters since run R1 (12.0 h)");
  CHECK(flaps->at_ns == 22 * kHour);
  CHECK(obs(r, "h1:ocs1", "rx_crc_errors")->value == 2.0);
  CHECK(obs(r, "h1:ocs1", "carrier_changes")->value == 0.0);
  // h2 rebooted: counted from the reboot, and the source says so.
  const auto* h2 = obs(r, "h2:ocs0", "carrier_changes");
  REQUIRE(h2);
  CHECK(h2->value == 2.0);
  CHECK_THAT(h2->source, Catch::Contains("counted from a reset: host rebooted"));
  // Every carrier_changes also split into explained and unexplained (no windows here: none explained).
  CHECK(obs(r, "h1:ocs0", "carrier_changes_unexplained")->value == 3.0);
  CHECK(obs(r, "h1:ocs0", "carrier_changes_explained")->value == 0.0);
  CHECK(r.observations.size() == 12);
  CHECK(r.unreachable_hosts.empty());

  REQUIRE(r.items.size() == 3);
  const auto* i = item(r, "h1:ocs0");
  REQUIRE(i);
  CHECK(i->status == "ok");
  CHECK(i->kind == "port");
  CHECK(i->message == "carrier_changes +3");
  CHECK(i->data.at("grew").at("carrier_changes") == 3);
  CHECK(i->data.at("window_s").get<double>() == Approx(12 * 3600.0));
  CHECK(item(r, "h2:ocs0")->data.at("resets").at("carrier_changes").at("reset") == "reboot");
}

TEST_CASE("counter records: an unreadable host or port is a failure with an empty observation", "[health][counters]") {
  coord::testing::ModelFixture m(kCountersInventory, kCountersTopologies);
  CounterSnapshot before{.run_id = "R1", .mark = "m", .taken_ns = 1, .hosts = {}};
  before.hosts.push_back(answered("h1", "b1", kHour, {port("ocs0", 2, 0), port("ocs1", 1, 7)}));
  before.hosts.push_back(answered("h2", "b2", kHour, {port("ocs0", 4, 0)}));
  CounterSnapshot after{.run_id = "R1", .mark = "", .taken_ns = 2 * kHour, .hosts = {}};
  // h1 no longer reports ocs1; h2's agent does not answer.
  after.hosts.push_back(answered("h1", "b1", kHour + 35'000'000'000LL, {port("ocs0", 2, 0)}));
  after.hosts.push_back(HostCounters{.host = "h2", .reply = std::nullopt,
                                     .error = Error{Errc::unavailable, "h2: GET /v1/counters: Connection refused", {}}});

  const auto r = counter_records(m.inventory, {"h1", "h2"}, &before, after, CounterWindow{"mark 'round-2'"});
  const auto* gone_port = obs(r, "h1:ocs1", "counters");
  REQUIRE(gone_port);
  CHECK_FALSE(gone_port->value);
  CHECK_THAT(gone_port->why_missing, Catch::Contains("does not report this port"));
  CHECK(item(r, "h1:ocs1")->status == "failed");
  CHECK(obs(r, "h1:ocs0", "carrier_changes")->source == "counters since mark 'round-2' (35 s)");

  const auto* down = obs(r, "h2:ocs0", "counters");
  REQUIRE(down);
  CHECK_FALSE(down->value);
  CHECK_THAT(down->why_missing, Catch::Contains("Connection refused"));
  CHECK(item(r, "h2:ocs0")->status == "unreachable");
  // The gone port's flaps are unknown; the unreachable host is blamed as a host instead.
  const auto* unknown = obs(r, "h1:ocs1", "carrier_changes_unexplained");
  REQUIRE(unknown);
  CHECK_FALSE(unknown->value);
  CHECK(obs(r, "h2:ocs0", "carrier_changes_unexplained") == nullptr);
  CHECK(r.unreachable_hosts == std::vector<std::string>{"h2"});
  CHECK(r.items.size() == 3);
}

TEST_CASE("counter records: a counter that lost its value fails its port, a new one is the baseline", "[health][counters]") {
  coord::testing::ModelFixture m(kCountersInventory, kCountersTopologies);
  CounterSnapshot before{.run_id = "R1", .mark = "m", .taken_ns = 1, .hosts = {}};
  before.hosts.push_back(answered("h1", "b1", kHour, {port("ocs0", 2, 0)}));   // no ocs1 then
  CounterSnapshot after{.run_id = "R1", .mark = "", .taken_ns = 2, .hosts = {}};
  auto p0 = port("ocs0", 2, 0);
  p0.netdev["rx_crc_errors"] = CounterReading::absent(wire::Absence::unreadable, "read: Input/output error");
  after.hosts.push_back(answered("h1", "b1", 2 * kHour, {p0, port("ocs1", 1, 0)}));
  after.hosts.push_back(answered("h2", "b2", 2 * kHour, {port("ocs0", 1, 0)}));   // h2 not in `before`

  const auto r = counter_records(m.inventory, {"h1", "h2"}, &before, after, CounterWindow{"run R0"});
  const auto* crc = obs(r, "h1:ocs0", "rx_crc_errors");
  REQUIRE(crc);
  CHECK_FALSE(crc->value);
  CHECK_THAT(crc->why_missing, Catch::Contains("Input/output error"));
  CHECK(item(r, "h1:ocs0")->status == "failed");
  // ocs1 and h2 have no earlier reading: no figures, items ok, said.
  CHECK(obs(r, "h1:ocs1", "carrier_changes") == nullptr);
  CHECK(item(r, "h1:ocs1")->status == "ok");
  CHECK_THAT(item(r, "h1:ocs1")->message, Catch::Contains("baseline"));
  CHECK(obs(r, "h2:ocs0", "carrier_changes") == nullptr);
  CHECK(item(r, "h2:ocs0")->status == "ok");
}

TEST_CASE("counter records: a mark (nothing to diff against) gives items only", "[health][counters]") {
  coord::testing::ModelFixture m(kCountersInventory, kCountersTopologies);
  CounterSnapshot now{.run_id = "R1", .mark = "before", .taken_ns = 1, .hosts = {}};
  now.hosts.push_back(answered("h1", "b1", kHour, {port("ocs0", 2, 0), port("ocs1", 1, 0)}));
  now.hosts.push_back(HostCounters{.host = "h2", .reply = std::nullopt, .error = Error{Errc::protocol, "h2: bad reply", {}}});
  const auto r = counter_records(m.inventory, {"h1", "h2"}, nullptr, now, CounterWindow{"mark 'before'"});
  CHECK(item(r, "h1:ocs0")->status == "ok");
  CHECK(item(r, "h1:ocs0")->message == "2 counter(s) read");
  CHECK(item(r, "h2:ocs0")->status == "failed");   // answered, but not usably: not "unreachable"
  REQUIRE(r.observations.size() == 1);
  CHECK(r.observations[0].part == "h2:ocs0");
  CHECK_FALSE(r.observations[0].value);
  CHECK(r.unreachable_hosts.empty());
  CHECK(describe_window(35'000'000'000LL) == "35 s");
  CHECK(describe_window(14 * 60'000'000'000LL) == "14 min");
}

TEST_CASE("counter records: the run's own re-patching is taken out of carrier_changes, flaps remain", "[health][counters]") {
  coord::testing::ModelFixture m(kCountersInventory, kCountersTopologies);
  constexpr std::int64_t kS = 1'000'000'000LL;
  CounterSnapshot before{.run_id = "R1", .mark = "last-run", .taken_ns = 1, .hosts = {}};
  before.hosts.push_back(answered("h1", "b1", 10 * kS, {port("ocs0", 10, 0), port("ocs1", 10, 0)}));
  before.hosts.push_back(answered("h2", "b2", 10 * kS, {port("ocs0", 10, 0)}));
  CounterSnapshot after{.run_id = "R2", .mark = "last-run", .taken_ns = 2, .hosts = {}};
  // h1:ocs0 healthy (the clear, cover-1's up, cover-2's down and up); h1:ocs1 flapped 3 times
  // during cover-1's tests; h2's carrier counter went backwards (cleared): counted from the reset.
  after.hosts.push_back(answered("h1", "b1", 100 * kS, {port("ocs0", 14, 0), port("ocs1", 20, 0)}));
  after.hosts.push_back(answered("h2", "b2", 100 * kS, {port("ocs0", 3, 0)}));
  using health::CarrierWindow;
  using health::CarrierWindowKind;
  std::vector<CarrierWindow> windows;
  for (const std::string p : {"h1:ocs0", "h1:ocs1", "h2:ocs0"}) {
    const std::string boot = p.starts_with("h1") ? "b1" : "b2";
    windows.push_back({.port = p, .kind = CarrierWindowKind::reconfiguration, .label = "cover-1", .boot_id = boot,
                       .start_ns = 50 * kS, .end_ns = 51 * kS, .changes = 1});
    windows.push_back({.port = p, .kind = CarrierWindowKind::test, .label = "cover-1 tests", .boot_id = boot,
                       .start_ns = 51 * kS, .end_ns = 53 * kS, .changes = p == "h1:ocs1" ? 6 : 0});
    windows.push_back({.port = p, .kind = CarrierWindowKind::reconfiguration, .label = "cover-2", .boot_id = boot,
                       .start_ns = 60 * kS, .end_ns = 61 * kS, .changes = 2});
  }
  const auto r = counter_records(m.inventory, {"h1", "h2"}, &before, after,
                                 CounterWindow{.name = "run R1", .after_previous_run = true, .carrier_windows = &windows});
  CHECK(obs(r, "h1:ocs0", "carrier_changes")->value == 4.0);   // the raw delta stays, as every counter
  CHECK(obs(r, "h1:ocs0", "carrier_changes_explained")->value == 4.0);
  CHECK(obs(r, "h1:ocs0", "carrier_changes_unexplained")->value == 0.0);
  const auto* flaps = obs(r, "h1:ocs1", "carrier_changes_unexplained");
  REQUIRE(flaps);
  CHECK(flaps->value == 6.0);
  CHECK(flaps->source == "counters since run R1 (90 s): 10 raw - 4 explained (previous run's ocs.clear 1, cover-1 1, cover-2 2) "
                         "= 6 unexplained (6 during tests: cover-1 tests)");
  const auto* i = item(r, "h1:ocs1");
  CHECK(i->message == "carrier_changes +10 (4 explained by the run's re-patching, 6 unexplained)");
  CHECK(i->data.at("carrier").at("raw") == 10);
  CHECK(i->data.at("carrier").at("explained") == 4);
  CHECK(i->data.at("carrier").at("unexplained") == 6);
  CHECK(i->data.at("carrier").at("in_tests") == 6);
  // h2 went backwards from 10 to 3: 3 counted from the reset, all of them explained, none negative.
  CHECK(obs(r, "h2:ocs0", "carrier_changes")->value == 3.0);
  CHECK(obs(r, "h2:ocs0", "carrier_changes_unexplained")->value == 0.0);
  CHECK_THAT(obs(r, "h2:ocs0", "carrier_changes_unexplained")->source, Catch::EndsWith("counted from a reset"));
}
