// The agent's inventory reply for one port: the RDMA ports whose GIDs name the netdev, with what
// the nightly drift check compares (device, port, link layer, the device's firmware, the GID
// table), from a typed RDMA scan (the scan itself is tested on sysfs fixtures in tests/hwdrivers/nic).
#include <catch2/catch.hpp>

#include "agent/inventory.hpp"

using namespace mixnet;
using namespace mixnet::agent;

TEST_CASE("inventory: a port carries its RDMA port's firmware, link layer and GID table", "[inventory][rdma]") {
  nic::NetdevInfo dev;
  dev.name = "ens1f0";
  dev.mac = "b8:59:9f:00:00:01";
  dev.mtu = 9000;
  nic::RdmaPort mine;
  mine.device = "mlx5_0";
  mine.port = 1;
  mine.link_layer = "Ethernet";
  mine.state = 4;
  mine.state_name = "ACTIVE";
  mine.fw_ver = "28.39.1002";
  mine.gids = {{0, "fe80:0000:0000:0000:ba59:9fff:fe00:0001", "IB/RoCE v1", "ens1f0"},
               {1, "fe80:0000:0000:0000:ba59:9fff:fe00:0001", "RoCE v2", "ens1f0"}};
  mine.netdevs = {"ens1f0"};
  nic::RdmaPort other = mine;
  other.device = "mlx5_1";
  other.fw_ver.reset();
  other.netdevs = {"ens1f1"};
  const nic::RdmaScan scan{.ports = {mine, other}, .note = {}};

  const auto info = to_port_info(dev, scan);
  REQUIRE(info.rdma.size() == 1);   // only the RDMA port whose GIDs name ens1f0
  const auto& r = info.rdma[0];
  CHECK(r.device == "mlx5_0");
  CHECK(r.port == 1);
  CHECK(r.link_layer == "Ethernet");
  CHECK(r.fw_ver == "28.39.1002");
  REQUIRE(r.gids.size() == 2);
  CHECK(r.gids[1].gid == "fe80:0000:0000:0000:ba59:9fff:fe00:0001");
  CHECK(r.gids[1].type == "RoCE v2");

  dev.name = "ens1f1";
  const auto without_fw = to_port_info(dev, scan);
  REQUIRE(without_fw.rdma.size() == 1);
  CHECK_FALSE(without_fw.rdma[0].fw_ver);   // JSON null: the drift check says unknown, not a match
}
