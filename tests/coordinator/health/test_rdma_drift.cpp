// RDMA inventory drift on typed inputs: a port's RDMA expectations against what an agent reports
// for it. Device and link layer differences are critical, firmware a warning, the GID table
// critical, and anything that cannot be read unknown (never a pass).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

#include "coordinator/health/rdma_drift.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::health;

namespace {

const std::string kLinkLocal = "fe80:0000:0000:0000:0a5c:2bff:fe11:2201";
const std::string kV4Mapped = "0000:0000:0000:0000:0000:ffff:c612:2801";

// mlx5_0 port 1 on ens1f0 as a ConnectX-6 reports it: RoCE, two addresses, each as v1 and v2.
wire::RdmaPortInfo connectx_port() {
  wire::RdmaPortInfo r;
  r.device = "mlx5_0";
  r.port = 1;
  r.link_layer = "Ethernet";
  r.state = 4;
  r.state_name = "ACTIVE";
  r.fw_ver = "28.39.1002";
  r.gids = {{0, kLinkLocal, "IB/RoCE v1", "ens1f0"}, {1, kLinkLocal, "RoCE v2", "ens1f0"},
            {2, kV4Mapped, "IB/RoCE v1", "ens1f0"}, {3, kV4Mapped, "RoCE v2", "ens1f0"}};
  return r;
}

wire::PortInfo port_with(std::vector<wire::RdmaPortInfo> rdma) {
  wire::PortInfo p;
  p.name = "ens1f0";
  p.rdma = std::move(rdma);
  return p;
}

const wire::RdmaSummary kHasRdma{.available = true, .note = "2 RDMA port(s)"};
const wire::RdmaSummary kNoRdma{.available = false, .note = "no RDMA devices (/sys/class/infiniband is absent)"};

RdmaExpect everything() {
  return RdmaExpect{.device = "mlx5_0", .port = 1, .fw_ver = "28.39.1002", .link_layer = "Ethernet",
                    .gids = {kLinkLocal, kV4Mapped}, .gid_count = 4, .line = 0};
}

const Finding* of_figure(const std::vector<Finding>& fs, const std::string& figure) {
  const auto it = std::ranges::find_if(fs, [&](const Finding& f) { return f.figure == figure; });
  return it == fs.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("rdma drift: a port that matches every expectation has no finding", "[health][rdma]") {
  CHECK(rdma_drift("h1:ens1f0", everything(), port_with({connectx_port()}), kHasRdma).empty());
  // Only a device named: any of its ports will do.
  CHECK(rdma_drift("h1:ens1f0", RdmaExpect{.device = "mlx5_0"}, port_with({connectx_port()}), kHasRdma).empty());
  // The GIDs an agent sends are compared in one form, whatever their case.
  auto upper = connectx_port();
  for (auto& g : upper.gids) std::ranges::transform(g.gid, g.gid.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  CHECK(rdma_drift("h1:ens1f0", everything(), port_with({upper}), kHasRdma).empty());
}

TEST_CASE("rdma drift: another device or port is critical, the rest is not compared", "[health][rdma]") {
  auto other = connectx_port();
  other.device = "mlx5_1";
  const auto fs = rdma_drift("h1:ens1f0", everything(), port_with({other}), kHasRdma);
  const auto* device = of_figure(fs, "rdma_device");
  REQUIRE(device != nullptr);
  CHECK(device->severity == Severity::critical);
  CHECK(device->kind == PartKind::port);
  CHECK(device->part == "h1:ens1f0");
  CHECK(device->rule == "inventory-drift");
  CHECK(device->message == "RDMA port is mlx5_1 port 1, expected mlx5_0 port 1");
  // Comparing mlx5_1's firmware with mlx5_0's would say nothing true: unknown, with the reason.
  for (const char* figure : {"rdma_link_layer", "rdma_fw_ver", "rdma_gids"}) {
    INFO(figure);
    const auto* f = of_figure(fs, figure);
    REQUIRE(f != nullptr);
    CHECK(f->severity == Severity::unknown);
    CHECK(f->message.find("not compared: mlx5_0 port 1 is not there") != std::string::npos);
  }
  CHECK(fs.size() == 4);

  auto port2 = connectx_port();
  port2.port = 2;
  const auto wrong_port = rdma_drift("h1:ens1f0", RdmaExpect{.device = "mlx5_0", .port = 1}, port_with({port2}), kHasRdma);
  REQUIRE(wrong_port.size() == 1);
  CHECK(wrong_port[0].message == "RDMA port is mlx5_0 port 2, expected mlx5_0 port 1");

  // The host has RDMA, but no GID names this netdev (the driver lost it, or the cabling moved).
  const auto orphan = rdma_drift("h1:ens1f0", RdmaExpect{.device = "mlx5_0"}, port_with({}), kHasRdma);
  REQUIRE(orphan.size() == 1);
  CHECK(orphan[0].severity == Severity::critical);
  CHECK(orphan[0].message.find("belongs to no RDMA device") != std::string::npos);
}

TEST_CASE("rdma drift: link layer critical, firmware a warning", "[health][rdma]") {
  auto ib = connectx_port();
  ib.link_layer = "InfiniBand";
  ib.fw_ver = "28.40.1000";
  const auto fs = rdma_drift("h1:ens1f0", everything(), port_with({ib}), kHasRdma);
  REQUIRE(fs.size() == 2);
  const auto* layer = of_figure(fs, "rdma_link_layer");
  REQUIRE(layer != nullptr);
  CHECK(layer->severity == Severity::critical);
  CHECK(layer->message == "link layer of mlx5_0 port 1 is InfiniBand, expected Ethernet");
  const auto* fw = of_figure(fs, "rdma_fw_ver");
  REQUIRE(fw != nullptr);
  CHECK(fw->severity == Severity::warning);
  CHECK(fw->message == "firmware of mlx5_0 is 28.40.1000, expected 28.39.1002");
}

TEST_CASE("rdma drift: the GID table by value and by count", "[health][rdma]") {
  auto changed = connectx_port();
  changed.gids[2].gid = changed.gids[3].gid = "0000:0000:0000:0000:0000:ffff:c612:2802";   // the address moved
  const auto fs = rdma_drift("h1:ens1f0", RdmaExpect{.gids = {kLinkLocal, kV4Mapped}}, port_with({changed}), kHasRdma);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].severity == Severity::critical);
  CHECK(fs[0].figure == "rdma_gids");
  CHECK(fs[0].message == "GID table of mlx5_0 port 1 differs: missing " + kV4Mapped +
                             "; not in the inventory 0000:0000:0000:0000:0000:ffff:c612:2802");

  auto shrunk = connectx_port();
  shrunk.gids.resize(2);   // only the link-local GIDs left: the address is gone
  const auto count = rdma_drift("h1:ens1f0", RdmaExpect{.gid_count = 4}, port_with({shrunk}), kHasRdma);
  REQUIRE(count.size() == 1);
  CHECK(count[0].severity == Severity::critical);
  CHECK(count[0].message == "GID table of mlx5_0 port 1 has 2 entries, expected 4");
  CHECK(count[0].value == 2.0);
  CHECK(count[0].reference == 4.0);
}

TEST_CASE("rdma drift: what cannot be read is unknown, never a pass", "[health][rdma]") {
  // A host with no RDMA at all: every expectation unknown, the agent's note as the reason.
  const auto fs = rdma_drift("h1:ens1f0", everything(), port_with({}), kNoRdma);
  REQUIRE(fs.size() == 4);
  for (const auto& f : fs) {
    INFO(f.figure);
    CHECK(f.severity == Severity::unknown);
    CHECK(f.message.find("no RDMA devices (/sys/class/infiniband is absent)") != std::string::npos);
  }
  CHECK(of_figure(fs, "rdma_device")->message.rfind("expected mlx5_0 port 1: cannot be read", 0) == 0);

  // An agent that does not report the firmware (an older agent, or a device without fw_ver) and
  // a kernel without link_layer: unknown, not a match.
  auto bare = connectx_port();
  bare.fw_ver.reset();
  bare.link_layer.clear();
  const auto unread = rdma_drift("h1:ens1f0", everything(), port_with({bare}), kHasRdma);
  REQUIRE(unread.size() == 2);
  CHECK(of_figure(unread, "rdma_fw_ver")->severity == Severity::unknown);
  CHECK(of_figure(unread, "rdma_link_layer")->severity == Severity::unknown);
}
