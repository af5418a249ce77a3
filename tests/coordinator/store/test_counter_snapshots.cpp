// Counter snapshots in the results store: the table is created in the store's own file, a saved
// snapshot reads back as it was, the newest from another run is found (this run's own is not),
// hosts that could not be read are not saved, and a damaged row is an error naming run and host.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "coordinator/store/counter_snapshots.hpp"
#include "coordinator/store/store.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

health::CounterSnapshot snapshot(const std::string& run, std::int64_t taken_ns, std::uint64_t carrier_changes) {
  health::CounterSnapshot s;
  s.run_id = run;
  s.mark = "last-run";
  s.taken_ns = taken_ns;
  wire::CountersReply r;
  r.host_id = "h1";
  r.boot_id = "boot-1";
  r.time_ns = taken_ns + 5;
  wire::PortCounters p;
  p.name = "ocs0";
  p.ifindex = 4;
  p.netdev["carrier_changes"] = wire::CounterReading::of(carrier_changes);
  p.netdev["rx_crc_errors"] = wire::CounterReading::absent(wire::Absence::missing, "no file");
  r.ports.push_back(p);
  s.hosts.push_back({.host = "h1", .reply = r, .error = std::nullopt});
  s.hosts.push_back({.host = "h2", .reply = std::nullopt, .error = Error{Errc::unavailable, "h2: refused", {}}});
  return s;
}

}  // namespace

TEST_CASE("counter snapshots: saved, and the newest of another run read back", "[store][counters]") {
  mixnet::testing::ScratchDir dir("mixnet-counter-snapshots");
  auto store = ResultsStore::open(dir.path + "/results.db");
  REQUIRE(store);
  auto snaps = CounterSnapshotStore::attach((*store)->handle());
  REQUIRE(snaps);

  auto none = snaps->latest("last-run", "run-c");
  REQUIRE(none);
  CHECK_FALSE(none->has_value());

  REQUIRE(snaps->save(snapshot("run-a", 1000, 3)));
  REQUIRE(snaps->save(snapshot("run-b", 2000, 5)));
  REQUIRE(snaps->save(snapshot("run-c", 3000, 9)));

  // run-c asks: its own snapshot is not "the last run".
  auto latest = snaps->latest("last-run", "run-c");
  REQUIRE(latest);
  REQUIRE(latest->has_value());
  const auto& s = **latest;
  CHECK(s.run_id == "run-b");
  CHECK(s.taken_ns == 2000);
  CHECK(s.mark == "last-run");
  REQUIRE(s.hosts.size() == 1);   // h2 had no reading: nothing saved for it
  CHECK(s.hosts[0].host == "h1");
  REQUIRE(s.hosts[0].reply);
  const auto& port = s.hosts[0].reply->ports.at(0);
  CHECK(port.netdev.at("carrier_changes").value == 5U);
  CHECK(port.netdev.at("rx_crc_errors").absence == wire::Absence::missing);
  CHECK(port.ifindex == 4U);
  CHECK(s.hosts[0].reply->boot_id == "boot-1");

  // Another mark name is another series.
  auto other = snaps->latest("nightly-b", "run-c");
  REQUIRE(other);
  CHECK_FALSE(other->has_value());

  // Saving the same run again replaces its rows.
  REQUIRE(snaps->save(snapshot("run-b", 2000, 6)));
  auto again = snaps->latest("last-run", "run-c");
  REQUIRE(again);
  CHECK((*again)->hosts[0].reply->ports[0].netdev.at("carrier_changes").value == 6U);
}

TEST_CASE("counter snapshots: the table lives in the store's file and survives reopening", "[store][counters]") {
  mixnet::testing::ScratchDir dir("mixnet-counter-snapshots");
  const std::string path = dir.path + "/results.db";
  {
    auto store = ResultsStore::open(path);
    REQUIRE(store);
    auto snaps = CounterSnapshotStore::attach((*store)->handle());
    REQUIRE(snaps);
    REQUIRE(snaps->save(snapshot("run-a", 1000, 3)));
  }
  auto store = ResultsStore::open(path);
  REQUIRE(store);
  auto snaps = CounterSnapshotStore::attach((*store)->handle());
  REQUIRE(snaps);
  auto latest = snaps->latest("last-run", "run-z");
  REQUIRE(latest);
  REQUIRE(latest->has_value());
  CHECK((*latest)->run_id == "run-a");
}

TEST_CASE("counter snapshots: a damaged row is an error naming run and host", "[store][counters]") {
  mixnet::testing::ScratchDir dir("mixnet-counter-snapshots");
  auto store = ResultsStore::open(dir.path + "/results.db");
  REQUIRE(store);
  auto snaps = CounterSnapshotStore::attach((*store)->handle());
  REQUIRE(snaps);
  REQUIRE(snaps->save(snapshot("run-a", 1000, 3)));
  REQUIRE(sqlite3_exec((*store)->handle(), "UPDATE counter_snapshots SET reply = '{\"ports\": 1}'", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  auto latest = snaps->latest("last-run", "run-z");
  REQUIRE_FALSE(latest);
  CHECK_THAT(latest.error().message, Catch::Contains("run run-a host h1"));
  CHECK(CounterSnapshotStore::attach(nullptr).error().code == Errc::internal);
}
