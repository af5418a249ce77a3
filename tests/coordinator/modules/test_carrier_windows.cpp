// carrier_windows: the carrier windows health.bandwidth cuts from two counter readings: each
// named port's carrier_changes delta between them, stamped with the agents' read times and boot;
// counted from a reset when the host rebooted inside; no value (and why) when a reading failed or
// the agent did not report the port, never a guessed 0.
#include <algorithm>

#include <catch2/catch.hpp>

#include "coordinator/modules/carrier_reads.hpp"
#include "tests/coordinator/support/counter_samples.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using health::CarrierWindowKind;
using health::CounterSnapshot;
using health::HostCounters;
using wire::CounterReading;

namespace {

using mixnet::coord::testing::answered;

wire::PortCounters port(const std::string& name, std::uint64_t carrier) {
  wire::PortCounters p;
  p.name = name;
  p.ifindex = 7;
  p.netdev["carrier_changes"] = CounterReading::of(carrier);
  p.netdev["rx_errors"] = CounterReading::of(0);
  return p;
}

const health::CarrierWindow& of(const std::vector<health::CarrierWindow>& ws, const std::string& port) {
  const auto it = std::find_if(ws.begin(), ws.end(), [&](const auto& w) { return w.port == port; });
  REQUIRE(it != ws.end());
  return *it;
}

}  // namespace

TEST_CASE("carrier windows: each port's carrier changes between two readings", "[health][counters]") {
  CounterSnapshot before{.run_id = "R", .mark = "", .taken_ns = 100, .hosts = {}};
  before.hosts.push_back(answered("h1", "b1", 1000, {port("ocs0", 4), port("ocs1", 9)}));
  before.hosts.push_back(answered("h2", "b2", 1001, {port("ocs0", 3)}));
  before.hosts.push_back(answered("h3", "b3", 1002, {port("ocs0", 3)}));
  CounterSnapshot after{.run_id = "R", .mark = "", .taken_ns = 200, .hosts = {}};
  after.hosts.push_back(answered("h1", "b1", 2000, {port("ocs0", 6)}));   // ocs1 no longer reported
  after.hosts.push_back(answered("h2", "b2-new", 2001, {port("ocs0", 1)}));   // rebooted in between
  after.hosts.push_back(HostCounters{.host = "h3", .reply = std::nullopt, .error = Error{Errc::timeout, "h3: GET /v1/counters: timed out", {}}});

  const auto ws = carrier_windows(before, after, {"h1:ocs0", "h1:ocs1", "h2:ocs0", "h3:ocs0", "h4:ocs0"},
                                  CarrierWindowKind::reconfiguration, "cover-2");
  REQUIRE(ws.size() == 5);   // every port named gets a window, readable or not
  const auto& h1 = of(ws, "h1:ocs0");
  CHECK(h1.changes == 2u);
  CHECK(h1.kind == CarrierWindowKind::reconfiguration);
  CHECK(h1.label == "cover-2");
  CHECK(h1.boot_id == "b1");
  CHECK(h1.start_ns == 1000);   // the agent's own read times, not the coordinator's
  CHECK(h1.end_ns == 2000);

  CHECK_FALSE(of(ws, "h1:ocs1").changes);
  CHECK_THAT(of(ws, "h1:ocs1").why, Catch::Contains("did not report the port after"));
  // Rebooted: counted from the reboot, under the new boot id.
  CHECK(of(ws, "h2:ocs0").changes == 1u);
  CHECK(of(ws, "h2:ocs0").boot_id == "b2-new");
  CHECK_FALSE(of(ws, "h3:ocs0").changes);
  CHECK_THAT(of(ws, "h3:ocs0").why, Catch::Contains("timed out"));
  CHECK_FALSE(of(ws, "h4:ocs0").changes);   // a host in neither reading
  CHECK_THAT(of(ws, "h4:ocs0").why, Catch::Contains("not read before"));
}
