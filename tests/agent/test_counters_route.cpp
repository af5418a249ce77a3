// collect_counters, what GET /v1/counters answers, on a fake sysfs tree: the managed netdevs in
// name order with the boot id, a netdev that vanished kept with every counter absent, and no reply
// at all without a boot id.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "agent/counters_route.hpp"
#include "hwdrivers/nic/port_counters.hpp"
#include "tests/hwdrivers/nic/sysfs_fixture.hpp"

using namespace mixnet;
using mixnet::testing::SysfsFixture;

namespace {

void netdev(const SysfsFixture& sys, const std::string& name, std::uint64_t carrier_changes) {
  const std::filesystem::path dir = std::filesystem::path("class/net") / name;
  sys.write(dir / "ifindex", "9");
  sys.write(dir / "carrier_changes", std::to_string(carrier_changes));
  for (const auto& counter : nic::netdev_counter_names()) {
    if (counter != "carrier_changes") sys.write(dir / "statistics" / counter, "0");
  }
}

}  // namespace

TEST_CASE("counters route: the managed netdevs, in name order, with the boot id", "[agent][counters]") {
  SysfsFixture sys;
  netdev(sys, "ocs1", 4);
  netdev(sys, "ocs0", 2);
  sys.write("boot_id", "0f0e0d0c-0000-4000-8000-000000000001");
  const agent::CounterSources sources{.sysfs_root = sys.root(), .boot_id_path = sys.root() / "boot_id"};

  auto r = agent::collect_counters({"ocs1", "ocs0", "gone0"}, "h1", sources);
  REQUIRE(r);
  CHECK(r->host_id == "h1");
  CHECK(r->boot_id == "0f0e0d0c-0000-4000-8000-000000000001");
  CHECK(r->time_ns > 0);
  REQUIRE(r->ports.size() == 3);
  CHECK(r->ports[0].name == "gone0");
  CHECK(r->ports[1].name == "ocs0");
  CHECK(r->ports[2].name == "ocs1");
  CHECK(r->ports[1].netdev.at("carrier_changes").value == 2U);
  CHECK(r->ports[2].netdev.at("carrier_changes").value == 4U);
  CHECK_FALSE(r->ports[1].ib.has_value());   // no /class/infiniband: no RDMA device
  // The vanished netdev is kept, every counter absent and saying why.
  for (const auto& [name, reading] : r->ports[0].netdev) {
    INFO(name);
    CHECK_FALSE(reading.value);
    CHECK(reading.absence == wire::Absence::missing);
    CHECK_THAT(reading.why, Catch::Contains("no netdev 'gone0'"));
  }
  // What the coordinator receives parses back the same.
  auto parsed = wire::parse_counters_reply(nlohmann::json(*r));
  REQUIRE(parsed);
  CHECK(nlohmann::json(*parsed) == nlohmann::json(*r));
}

TEST_CASE("counters route: no boot id, no reply", "[agent][counters]") {
  SysfsFixture sys;
  netdev(sys, "ocs0", 2);
  auto r = agent::collect_counters({"ocs0"}, "h1", {.sysfs_root = sys.root(), .boot_id_path = sys.root() / "nope"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::unavailable);
  CHECK(r.error().field == "boot_id");
}
