// port_counter_deltas on hand-made readings: plain growth, a counter that went backwards (reset or
// 32-bit wrap), a reboot, a driver reload of one port (ifindex changed), the RDMA port changing,
// and counters appearing and disappearing. A reset is said and counted from the reset, never a
// huge or negative delta.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "coordinator/health/counter_delta.hpp"

using namespace mixnet;
using namespace mixnet::coord::health;
using wire::Absence;
using wire::CounterReading;
using wire::PortCounters;

namespace {

PortCounters port(std::uint32_t ifindex, std::initializer_list<std::pair<const char*, std::uint64_t>> netdev) {
  PortCounters p;
  p.name = "ocs0";
  p.ifindex = ifindex;
  for (const auto& [name, v] : netdev) p.netdev[name] = CounterReading::of(v);
  return p;
}

const CounterDelta& find(const std::vector<CounterDelta>& ds, const std::string& counter, bool ib = false) {
  for (const auto& d : ds) {
    if (d.counter == counter && d.ib == ib) return d;
  }
  FAIL("no delta for " << counter);
  throw std::logic_error("unreachable");
}

bool has(const std::vector<CounterDelta>& ds, const std::string& counter) {
  for (const auto& d : ds) {
    if (d.counter == counter) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("counter delta: growth since the earlier reading", "[health][counters]") {
  const auto a = port(7, {{"carrier_changes", 4}, {"rx_crc_errors", 10}, {"rx_bytes", 1000}});
  const auto b = port(7, {{"carrier_changes", 6}, {"rx_crc_errors", 10}, {"rx_bytes", 5000}});
  const auto ds = port_counter_deltas({"boot-1", &a}, {"boot-1", &b});
  REQUIRE(ds.size() == 3);
  CHECK(find(ds, "carrier_changes").delta == 2U);
  CHECK(find(ds, "carrier_changes").reset == CounterReset::none);
  CHECK(find(ds, "carrier_changes").before == 4U);
  CHECK(find(ds, "carrier_changes").after == 6U);
  CHECK(find(ds, "rx_crc_errors").delta == 0U);
  CHECK(find(ds, "rx_bytes").delta == 4000U);
  CHECK(counter_unit("rx_bytes") == "bytes");
  CHECK(counter_unit("port_xmit_octets") == "bytes");
  CHECK(counter_unit("tx_packets") == "packets");
  CHECK(counter_unit("symbol_error") == "count");
}

TEST_CASE("counter delta: a counter that went backwards is a reset, counted from it", "[health][counters]") {
  // A 32-bit counter that wrapped, or a driver that cleared one counter: the rest of the port grew.
  const auto a = port(7, {{"rx_crc_errors", 4'294'967'290ULL}, {"carrier_changes", 2}});
  const auto b = port(7, {{"rx_crc_errors", 5}, {"carrier_changes", 3}});
  const auto ds = port_counter_deltas({"boot-1", &a}, {"boot-1", &b});
  const auto& crc = find(ds, "rx_crc_errors");
  CHECK(crc.reset == CounterReset::went_backwards);
  CHECK(crc.delta == 5U);   // from the reset, not 2^64 - 4294967285, not negative
  CHECK_THAT(crc.why, Catch::Contains("went backwards from 4294967290 to 5"));
  CHECK(find(ds, "carrier_changes").reset == CounterReset::none);
  CHECK(find(ds, "carrier_changes").delta == 1U);
}

TEST_CASE("counter delta: a reboot resets every counter of the host", "[health][counters]") {
  // After a reboot some counters are already higher than before: only the boot id tells.
  const auto a = port(7, {{"carrier_changes", 1}, {"rx_errors", 50}});
  const auto b = port(7, {{"carrier_changes", 2}, {"rx_errors", 3}});
  const auto ds = port_counter_deltas({"boot-1", &a}, {"boot-2", &b});
  for (const auto& d : ds) {
    INFO(d.counter);
    CHECK(d.reset == CounterReset::reboot);
    CHECK_THAT(d.why, Catch::Contains("host rebooted (boot id boot-1 -> boot-2)"));
  }
  CHECK(find(ds, "carrier_changes").delta == 2U);   // not 1: everything since the reboot counts
  CHECK(find(ds, "rx_errors").delta == 3U);
}

TEST_CASE("counter delta: a driver reload of one port (ifindex changed) resets that port only", "[health][counters]") {
  const auto a = port(7, {{"carrier_changes", 10}, {"rx_errors", 0}});
  const auto b = port(12, {{"carrier_changes", 11}, {"rx_errors", 0}});
  const auto ds = port_counter_deltas({"boot-1", &a}, {"boot-1", &b});
  CHECK(find(ds, "carrier_changes").reset == CounterReset::port_recreated);
  CHECK(find(ds, "carrier_changes").delta == 11U);
  CHECK_THAT(find(ds, "carrier_changes").why, Catch::Contains("ifindex 7 -> 12"));

  const auto c = port(8, {{"carrier_changes", 10}});
  const auto d = port(8, {{"carrier_changes", 13}});
  const auto same = port_counter_deltas({"boot-1", &c}, {"boot-1", &d});
  CHECK(find(same, "carrier_changes").reset == CounterReset::none);
  CHECK(find(same, "carrier_changes").delta == 3U);
}

TEST_CASE("counter delta: IB counters, and the RDMA port changing under the netdev", "[health][counters]") {
  auto a = port(7, {{"carrier_changes", 1}});
  auto b = port(7, {{"carrier_changes", 1}});
  a.ib = wire::IbPortCounters{"mlx5_0", 1, {{"symbol_error", CounterReading::of(3)}, {"link_downed", CounterReading::of(1)}}};
  b.ib = wire::IbPortCounters{"mlx5_0", 1, {{"symbol_error", CounterReading::of(9)}, {"link_downed", CounterReading::of(1)}}};
  auto ds = port_counter_deltas({"boot-1", &a}, {"boot-1", &b});
  REQUIRE(ds.size() == 3);
  CHECK(find(ds, "symbol_error", true).delta == 6U);
  CHECK(find(ds, "link_downed", true).delta == 0U);

  b.ib->device = "mlx5_3";
  ds = port_counter_deltas({"boot-1", &a}, {"boot-1", &b});
  CHECK(find(ds, "symbol_error", true).reset == CounterReset::port_recreated);
  CHECK(find(ds, "symbol_error", true).delta == 9U);
  CHECK(find(ds, "carrier_changes").reset == CounterReset::none);

  // The RDMA device is gone now: its counters have no value, and say why.
  b.ib.reset();
  ds = port_counter_deltas({"boot-1", &a}, {"boot-1", &b});
  const auto& sym = find(ds, "symbol_error", true);
  CHECK_FALSE(sym.delta);
  CHECK_FALSE(sym.after);
  CHECK_THAT(sym.why, Catch::Contains("no RDMA device now"));
}

TEST_CASE("counter delta: counters appearing and disappearing", "[health][counters]") {
  auto a = port(7, {{"carrier_changes", 1}, {"rx_errors", 4}});
  a.netdev["rx_crc_errors"] = CounterReading::absent(Absence::unreadable, "read: Permission denied");
  a.netdev["rx_missed_errors"] = CounterReading::absent(Absence::missing, "no file");
  auto b = port(7, {{"carrier_changes", 1}, {"rx_crc_errors", 5}});
  b.netdev["rx_errors"] = CounterReading::absent(Absence::unreadable, "read: Input/output error");
  b.netdev["rx_missed_errors"] = CounterReading::absent(Absence::missing, "no file");
  const auto ds = port_counter_deltas({"boot-1", &a}, {"boot-1", &b});

  // Appeared: no figure yet (nothing to count from), and not a failure: the baseline.
  const auto& crc = find(ds, "rx_crc_errors");
  CHECK_FALSE(crc.delta);
  CHECK(crc.after == 5U);
  CHECK_THAT(crc.why, Catch::Contains("baseline"));
  // Disappeared: no figure, and why.
  const auto& err = find(ds, "rx_errors");
  CHECK_FALSE(err.delta);
  CHECK_FALSE(err.after);
  CHECK(err.before == 4U);
  CHECK_THAT(err.why, Catch::Contains("could not be read now: read: Input/output error"));
  // Not kept by this driver, before or now: not a figure at all.
  CHECK_FALSE(has(ds, "rx_missed_errors"));

  // A counter that vanished from the reply altogether.
  auto c = port(7, {{"carrier_changes", 1}});
  const auto gone = port_counter_deltas({"boot-1", &a}, {"boot-1", &c});
  CHECK_FALSE(find(gone, "rx_errors").delta);
  CHECK_THAT(find(gone, "rx_errors").why, Catch::Contains("not in this reading"));
}

TEST_CASE("counter delta: a port with no earlier reading is the baseline", "[health][counters]") {
  const auto b = port(7, {{"carrier_changes", 3}, {"rx_errors", 0}});
  const auto ds = port_counter_deltas({"boot-1", nullptr}, {"boot-1", &b});
  REQUIRE(ds.size() == 2);
  for (const auto& d : ds) {
    CHECK_FALSE(d.delta);
    CHECK(d.after.has_value());
    CHECK_THAT(d.why, Catch::Contains("no earlier reading of this port"));
  }
  CHECK(port_counter_deltas({"boot-1", &b}, {"boot-1", nullptr}).empty());
}
