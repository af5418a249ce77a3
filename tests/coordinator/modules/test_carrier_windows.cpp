// carrier_windows: the carrier windows health.bandwidth cuts from two counter readings: each
// named port's carrier_changes delta between them, stamped with the agents' read times and boot;
// counted from a reset when the host rebooted inside; no value (and why) when a reading failed or
// the agent did not report the port, never a guessed 0.
#include <algorithm>

#include <catch2/catch.hpp>
#include <fmt/ranges.h>

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

TEST_CASE("error growth: the error counters of each tested port that grew during its round", "[health][counters]") {
  const auto with_errors = [](const std::string& name, std::uint64_t crc, std::uint64_t carrier, std::uint64_t rx_bytes) {
    wire::PortCounters p = port(name, carrier);
    p.netdev["rx_crc_errors"] = CounterReading::of(crc);
    p.netdev["rx_bytes"] = CounterReading::of(rx_bytes);
    return p;
  };
  CounterSnapshot before{.run_id = "R", .mark = "", .taken_ns = 100, .hosts = {}};
  before.hosts.push_back(answered("h1", "b1", 1000, {with_errors("ocs0", 5, 4, 100), with_errors("ocs1", 0, 0, 0)}));
  before.hosts.push_back(answered("h2", "b2", 1001, {with_errors("ocs0", 7, 3, 100)}));
  before.hosts.push_back(answered("h3", "b3", 1002, {with_errors("ocs0", 0, 0, 0)}));
  CounterSnapshot after{.run_id = "R", .mark = "", .taken_ns = 200, .hosts = {}};
  // h1:ocs0 took 3 CRC errors and a flap during the test, and moved bytes; h1:ocs1 nothing;
  // h2 rebooted (its CRC counter restarted at 2); h3 did not answer.
  after.hosts.push_back(answered("h1", "b1", 2000, {with_errors("ocs0", 8, 6, 9'000'000), with_errors("ocs1", 0, 0, 50)}));
  after.hosts.push_back(answered("h2", "b2-new", 2001, {with_errors("ocs0", 2, 1, 10)}));
  after.hosts.push_back(HostCounters{.host = "h3", .reply = std::nullopt, .error = Error{Errc::timeout, "h3: GET /v1/counters: timed out", {}}});

  const auto g = error_growth(before, after, {"h1:ocs0", "h1:ocs1", "h2:ocs0", "h3:ocs0"});
  REQUIRE(g.size() == 4);
  // Errors only: bytes are traffic, carrier changes are the carrier windows' to judge.
  CHECK(g[0].grew == std::map<std::string, std::uint64_t>{{"rx_crc_errors", 3}});
  CHECK(g[0].unread.empty());
  CHECK(g[1].grew.empty());
  CHECK(g[2].grew == std::map<std::string, std::uint64_t>{{"rx_crc_errors", 2}});   // counted from the reboot
  CHECK_THAT(fmt::format("{}", fmt::join(g[2].reset, ",")), Catch::Contains("rx_crc_errors (reboot)"));
  CHECK(g[3].grew.empty());
  CHECK_THAT(g[3].unread, Catch::Contains("timed out"));

  CHECK(describe_error_growth(g) ==
        "h1:ocs0 rx_crc_errors +3; h2:ocs0 rx_crc_errors +2; h3:ocs0 unread (read after failed: h3: GET /v1/counters: timed out)");
  CHECK(describe_error_growth({g[1]}).empty());   // read, nothing grew: nothing to say

  // A counter readable before and not after is said, never dropped.
  CounterSnapshot later = after;
  later.hosts[0].reply->ports[1].netdev["rx_crc_errors"] = CounterReading::absent(wire::Absence::unreadable, "read rx_crc_errors: Permission denied");
  const auto lost = error_growth(after, later, {"h1:ocs1"});
  REQUIRE(lost.size() == 1);
  CHECK(lost[0].lost.contains("rx_crc_errors"));
  CHECK_THAT(describe_error_growth(lost), Catch::StartsWith("h1:ocs1 rx_crc_errors no figure ("));
  CHECK(error_growth_json(lost).at("h1:ocs1").contains("no_figure"));
  const auto j = error_growth_json(g);
  CHECK(j.at("h1:ocs0").at("grew").at("rx_crc_errors") == 3);
  CHECK(j.at("h1:ocs1").at("grew").empty());
  CHECK(j.at("h2:ocs0").contains("counted_from_reset"));
  CHECK(j.at("h3:ocs0").contains("unread"));
}
