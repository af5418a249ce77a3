// Device, port and GID for a netdev, chosen from sysfs-shaped fixture trees.
#include <catch2/catch.hpp>

#include "hwdrivers/nic/rdma_port_select.hpp"
#include "tests/hwdrivers/nic/sysfs_fixture.hpp"

using namespace mixnet;
using namespace mixnet::nic;
using mixnet::testing::SysfsFixture;

namespace {

RdmaScan scan_of(const SysfsFixture& t) {
  auto scan = scan_rdma_sysfs(t.root());
  REQUIRE(scan.has_value());
  return *scan;
}

int chosen(const RdmaScan& scan, const std::string& netdev, const std::string& address,
           std::optional<std::uint32_t> index = std::nullopt) {
  auto target = resolve_rdma_target(scan, netdev, address, index);
  INFO(netdev << " " << address << ": " << (target ? "" : target.error().describe()));
  REQUIRE(target.has_value());
  return target->gid.index;
}

}  // namespace

TEST_CASE("gid selection: the port's own address, as RoCE v2", "[rdma][gid]") {
  SysfsFixture t;
  t.roce_host();
  const RdmaScan scan = scan_of(t);

  auto target = resolve_rdma_target(scan, "ens1f0", "198.18.40.1", std::nullopt);
  REQUIRE(target.has_value());
  CHECK(target->device == "mlx5_0");
  CHECK(target->port == 1);
  CHECK(target->gid.index == 3);
  CHECK(target->gid.type == "RoCE v2");
  CHECK(target->gid.gid == "0000:0000:0000:0000:0000:ffff:c612:2801");

  CHECK(chosen(scan, "ens1f0", "fd00:40::1") == 5);                 // IPv6 global, v2
  CHECK(chosen(scan, "ens1f0", "fe80::a5c:2bff:fe11:2201") == 1);   // link-local, v2
  CHECK(chosen(scan, "ens1f0.100", "198.18.50.1") == 6);            // the VLAN netdev's own slot
  CHECK(chosen(scan, "ens1f1", "198.18.41.1") == 2);                // second device
  auto second = resolve_rdma_target(scan, "ens1f1", "198.18.41.1", std::nullopt);
  CHECK(second->device == "mlx5_1");
}

TEST_CASE("gid selection without an exact match: family, then global scope, then v2 over v1", "[rdma][gid]") {
  SysfsFixture t;
  t.roce_host();
  const RdmaScan scan = scan_of(t);
  // An IPv4 address the table does not hold yet: the IPv4-mapped v2 slot (perftest's rule).
  CHECK(chosen(scan, "ens1f0", "198.18.40.99") == 3);
  // No address at all: as perftest without --ipv6, IPv4-mapped first.
  CHECK(chosen(scan, "ens1f0", "") == 3);
  // An IPv6 address not in the table: not IPv4-mapped, global over link-local, v2 over v1.
  CHECK(chosen(scan, "ens1f0", "fd00:40::77") == 5);

  // A port with only link-local GIDs (no address configured yet): the v2 one.
  SysfsFixture bare;
  bare.port("mlx5_0", 1);
  bare.gid("mlx5_0", 1, 0, "fe80:0000:0000:0000:0a5c:2bff:fe11:2201", "IB/RoCE v1", "ens1f0");
  bare.gid("mlx5_0", 1, 1, "fe80:0000:0000:0000:0a5c:2bff:fe11:2201", "RoCE v2", "ens1f0");
  CHECK(chosen(scan_of(bare), "ens1f0", "198.18.40.1") == 1);

  // Only v1 GIDs: v1 is taken rather than nothing.
  SysfsFixture v1;
  v1.port("mlx5_0", 1);
  v1.gid("mlx5_0", 1, 0, "0000:0000:0000:0000:0000:ffff:c612:2801", "IB/RoCE v1", "ens1f0");
  CHECK(chosen(scan_of(v1), "ens1f0", "198.18.40.1") == 0);
}

TEST_CASE("gid selection: an explicit index (perftest -x) is honoured, or refused naming it", "[rdma][gid]") {
  SysfsFixture t;
  t.roce_host();
  const RdmaScan scan = scan_of(t);
  CHECK(chosen(scan, "ens1f0", "198.18.40.1", 2u) == 2);  // v1 on request
  auto other = resolve_rdma_target(scan, "ens1f0", "198.18.40.1", 6u);
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().field == "rdma.gid_index");
  CHECK_THAT(other.error().message, Catch::Contains("belongs to ens1f0.100"));
  auto empty = resolve_rdma_target(scan, "ens1f0", "198.18.40.1", 7u);  // zero GID: not a valid slot
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().field == "rdma.gid_index");
  CHECK_THAT(empty.error().message, Catch::Contains("mlx5_0/1 has no valid GID at index 7"));
}

TEST_CASE("a netdev without an RDMA device is refused, saying why", "[rdma][gid]") {
  auto none = scan_rdma_sysfs("/nonexistent-mxt-infiniband");
  REQUIRE(none.has_value());
  auto r = resolve_rdma_target(*none, "ocs0", "198.18.40.1", std::nullopt);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::unavailable);
  CHECK(r.error().field == "port");
  CHECK(r.error().message ==
        "port ocs0 has no RDMA device: no RDMA devices (/nonexistent-mxt-infiniband is absent)");

  SysfsFixture t;
  t.roce_host();
  auto missing = resolve_rdma_target(scan_of(t), "eth9", "198.18.40.1", std::nullopt);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == Errc::unavailable);
  CHECK_THAT(missing.error().message, Catch::StartsWith("port eth9 has no RDMA device: no GID"));
  CHECK_THAT(missing.error().message, Catch::Contains("mlx5_0/1 (ens1f0 ens1f0.100)"));
}

TEST_CASE("gid_of_address: RoCE's GID for an IP address", "[rdma][gid]") {
  CHECK(*gid_of_address("198.18.40.1") == "0000:0000:0000:0000:0000:ffff:c612:2801");
  CHECK(*gid_of_address("fd00:40::1") == "fd00:0040:0000:0000:0000:0000:0000:0001");
  CHECK_FALSE(gid_of_address("ens1f0").has_value());
}
