// read_port_counters and read_boot_id on fake sysfs trees: netdev statistics and carrier_changes,
// the IB port counters of the RDMA port whose GIDs name the netdev (data counters in octets), and
// counters that are missing or unreadable reported absent, never 0.
#include <catch2/catch.hpp>

#include "hwdrivers/nic/port_counters.hpp"
#include "tests/hwdrivers/nic/sysfs_fixture.hpp"

using namespace mixnet;
using mixnet::testing::SysfsFixture;
using wire::Absence;

namespace {

// A netdev with every counter the reader looks for, each set to its position in the list + 1.
void netdev(const SysfsFixture& sys, const std::string& name, std::uint32_t ifindex) {
  const std::filesystem::path dir = std::filesystem::path("class/net") / name;
  sys.write(dir / "ifindex", std::to_string(ifindex));
  std::uint64_t n = 1;
  for (const auto& counter : nic::netdev_counter_names()) {
    sys.write(counter == "carrier_changes" ? dir / counter : dir / "statistics" / counter, std::to_string(n++));
  }
}

// An RDMA port mlx5_0/1 whose GID table names `ndev`, with its counters.
void rdma_port(const SysfsFixture& sys, const std::string& ndev) {
  const std::filesystem::path port = "class/infiniband/mlx5_0/ports/1";
  sys.write(port / "state", "4: ACTIVE");
  sys.write(port / "phys_state", "5: LinkUp");
  sys.write(port / "gids/0", "fe80:0000:0000:0000:0a5c:2bff:fe11:2201");
  sys.write(port / "gid_attrs/types/0", "RoCE v2");
  sys.write(port / "gid_attrs/ndevs/0", ndev);
  const auto c = port / "counters";
  sys.write(c / "symbol_error", "7");
  sys.write(c / "link_downed", "2");
  sys.write(c / "link_error_recovery", "1");
  sys.write(c / "port_rcv_errors", "0");
  sys.write(c / "port_rcv_remote_physical_errors", "0");
  sys.write(c / "local_link_integrity_errors", "0");
  sys.write(c / "excessive_buffer_overrun_errors", "0");
  sys.write(c / "port_xmit_discards", "3");
  sys.write(c / "port_xmit_data", "1000");
  sys.write(c / "port_rcv_data", "250");
  sys.write(c / "port_xmit_packets", "10");
  sys.write(c / "port_rcv_packets", "N/A (no PMA)");
}

nic::RdmaScan scan(const SysfsFixture& sys) {
  auto s = nic::scan_rdma_sysfs(sys.root() / "class/infiniband");
  REQUIRE(s);
  return *s;
}

}  // namespace

TEST_CASE("port counters: netdev statistics and carrier_changes, no RDMA device", "[nic][counters]") {
  SysfsFixture sys;
  netdev(sys, "ens1f0", 7);
  auto c = nic::read_port_counters("ens1f0", scan(sys), sys.root());
  REQUIRE(c);
  CHECK(c->name == "ens1f0");
  CHECK(c->ifindex == 7U);
  CHECK_FALSE(c->ib.has_value());
  REQUIRE(c->netdev.size() == nic::netdev_counter_names().size());
  std::uint64_t n = 1;
  for (const auto& name : nic::netdev_counter_names()) {
    INFO(name);
    REQUIRE(c->netdev.at(name).value == n++);
    CHECK(c->netdev.at(name).absence == Absence::none);
  }
}

TEST_CASE("port counters: a missing or unreadable counter is absent, never 0", "[nic][counters]") {
  SysfsFixture sys;
  netdev(sys, "eth1", 3);
  std::filesystem::remove(sys.root() / "class/net/eth1/statistics/rx_crc_errors");
  std::filesystem::remove(sys.root() / "class/net/eth1/carrier_changes");
  sys.write("class/net/eth1/statistics/rx_frame_errors", "garbage");
  sys.write("class/net/eth1/statistics/tx_errors", "");
  auto c = nic::read_port_counters("eth1", scan(sys), sys.root());
  REQUIRE(c);
  const auto& crc = c->netdev.at("rx_crc_errors");
  CHECK_FALSE(crc.value);
  CHECK(crc.absence == Absence::missing);
  CHECK(c->netdev.at("carrier_changes").absence == Absence::missing);
  const auto& frame = c->netdev.at("rx_frame_errors");
  CHECK_FALSE(frame.value);
  CHECK(frame.absence == Absence::unreadable);
  CHECK_THAT(frame.why, Catch::Contains("not a count: 'garbage'"));
  CHECK(c->netdev.at("tx_errors").absence == Absence::unreadable);
  CHECK(c->netdev.at("rx_errors").value.has_value());

}

TEST_CASE("port counters: IB port counters of the RDMA port on the netdev, data in octets", "[nic][counters]") {
  SysfsFixture sys;
  netdev(sys, "ens1f0", 7);
  netdev(sys, "ens1f1", 8);
  rdma_port(sys, "ens1f0");
  const auto rdma = scan(sys);

  auto c = nic::read_port_counters("ens1f0", rdma, sys.root());
  REQUIRE(c);
  REQUIRE(c->ib.has_value());
  CHECK(c->ib->device == "mlx5_0");
  CHECK(c->ib->port == 1U);
  CHECK(c->ib->counters.size() == nic::ib_counter_names().size());
  CHECK(c->ib->counters.at("symbol_error").value == 7U);
  CHECK(c->ib->counters.at("link_downed").value == 2U);
  CHECK(c->ib->counters.at("port_xmit_discards").value == 3U);
  CHECK(c->ib->counters.at("port_xmit_octets").value == 4000U);   // 1000 x 4
  CHECK(c->ib->counters.at("port_rcv_octets").value == 1000U);    // 250 x 4
  CHECK(c->ib->counters.count("port_xmit_data") == 0);
  const auto& no_pma = c->ib->counters.at("port_rcv_packets");
  CHECK_FALSE(no_pma.value);
  CHECK(no_pma.absence == Absence::unreadable);
  CHECK_THAT(no_pma.why, Catch::Contains("N/A (no PMA)"));

  // The other netdev has no GID on any RDMA port: no IB counters.
  auto other = nic::read_port_counters("ens1f1", rdma, sys.root());
  REQUIRE(other);
  CHECK_FALSE(other->ib.has_value());
}

TEST_CASE("port counters: an IB data counter too large for octets is absent, not wrapped", "[nic][counters]") {
  SysfsFixture sys;
  netdev(sys, "ens1f0", 7);
  rdma_port(sys, "ens1f0");
  sys.write("class/infiniband/mlx5_0/ports/1/counters/port_xmit_data", "18446744073709551615");
  auto c = nic::read_port_counters("ens1f0", scan(sys), sys.root());
  REQUIRE(c);
  const auto& octets = c->ib->counters.at("port_xmit_octets");
  CHECK_FALSE(octets.value);
  CHECK(octets.absence == Absence::unreadable);
}

TEST_CASE("port counters: an unknown netdev is not_found naming the port", "[nic][counters]") {
  SysfsFixture sys;
  netdev(sys, "eth1", 3);
  for (const std::string name : {"eth9", "", "../eth1"}) {
    auto c = nic::read_port_counters(name, nic::RdmaScan{}, sys.root());
    REQUIRE_FALSE(c);
    CHECK(c.error().code == Errc::not_found);
    CHECK(c.error().field == "port");
  }
}

TEST_CASE("boot id: read and trimmed, a missing or empty file is an error", "[nic][counters]") {
  SysfsFixture sys;
  sys.write("boot_id", "4b1e2f0c-9a7d-4c4e-8f55-0b7c1d2e3f40");
  auto id = nic::read_boot_id(sys.root() / "boot_id");
  REQUIRE(id);
  CHECK(*id == "4b1e2f0c-9a7d-4c4e-8f55-0b7c1d2e3f40");
  auto missing = nic::read_boot_id(sys.root() / "nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::not_found);
  sys.write("empty", "");
  CHECK_FALSE(nic::read_boot_id(sys.root() / "empty"));
  // The real one exists on Linux and is a UUID.
  auto real = nic::read_boot_id();
  REQUIRE(real);
  CHECK(real->size() == 36);
}
