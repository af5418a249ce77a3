// The inventory's RDMA expectations (`ports[].rdma`): read into the model with GIDs in sysfs's
// form, and every bad value refused with file:line and the key path.
#include <catch2/catch.hpp>

#include <string>

#include "coordinator/model/inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// An inventory with one port whose `rdma:` is `rdma_text` (a flow mapping, or a block written at
// the port's indentation + 2).
std::string with_rdma(const std::string& rdma_text) {
  return R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:7470"}
    ports:
      - name: ens1f0
        rdma: )" + rdma_text + "\n";
}

Result<Inventory> read(const std::string& yaml) { return parse_inventory(yaml, "inventory.yaml", ""); }

}  // namespace

TEST_CASE("inventory rdma: every expectation read, GIDs in the form sysfs prints", "[inventory][rdma]") {
  auto inv = read(with_rdma(R"(
          device: mlx5_0
          port: 1
          fw_ver: 28.39.1002
          link_layer: Ethernet
          gids: ["fe80::a5c:2bff:FE11:2201", "::ffff:198.18.40.1"]
          gid_count: 4)"));
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv);
  const auto& port = inv->hosts.at(0).ports.at(0);
  REQUIRE(port.rdma);
  CHECK(port.rdma->device == "mlx5_0");
  CHECK(port.rdma->port == 1);
  CHECK(port.rdma->fw_ver == "28.39.1002");   // a plain scalar keeps its text, not a number
  CHECK(port.rdma->link_layer == "Ethernet");
  CHECK(port.rdma->gids == std::vector<std::string>{"fe80:0000:0000:0000:0a5c:2bff:fe11:2201",
                                                    "0000:0000:0000:0000:0000:ffff:c612:2801"});
  CHECK(port.rdma->gid_count == 4);
  CHECK(port.rdma->line == 8);

  // `rdma: {}`: only that the port belongs to an RDMA device; no `rdma`: nothing expected.
  auto any = read(with_rdma("{}"));
  REQUIRE(any);
  REQUIRE(any->hosts.at(0).ports.at(0).rdma);
  CHECK_FALSE(any->hosts.at(0).ports.at(0).rdma->device);
  auto none = read(R"(version: 1
hosts: [{name: h1, agent: {url: "http://127.0.0.1:7470"}, ports: [{name: eth0}]}]
)");
  REQUIRE(none);
  CHECK_FALSE(none->hosts.at(0).ports.at(0).rdma);
}

TEST_CASE("inventory rdma: bad values are refused naming the field", "[inventory][rdma]") {
  struct Bad {
    std::string rdma;
    std::string field;
    std::string says;
  };
  const std::string at = "hosts[0].ports[0].rdma";
  for (const Bad& b : {
           Bad{"{devise: mlx5_0}", at + ".devise", "unknown key"},
           Bad{"{device: mlx5/0}", at + ".device", "not an RDMA device name"},
           Bad{"{port: 0}", at + ".port", "outside 1..255"},
           Bad{"{port: 256}", at + ".port", "outside 1..255"},
           Bad{"{port: one}", at + ".port", ""},
           Bad{"{link_layer: ethernet}", at + ".link_layer", "'ethernet' is not a link layer (Ethernet or InfiniBand)"},
           Bad{"{link_layer: RoCE}", at + ".link_layer", "not a link layer"},
           Bad{"{gids: []}", at + ".gids", "gid_count: 0"},
           Bad{"{gids: [\"fe80::1\", \"fe80::zz\"]}", at + ".gids[1]", "'fe80::zz' is not a GID"},
           Bad{"{gids: [\"198.18.40.1\"]}", at + ".gids[0]", "is not a GID"},
           Bad{"{gids: [\"fe80::1\", \"FE80:0:0:0:0:0:0:1\"]}", at + ".gids[1]", "listed twice"},
           Bad{"{gids: [\"::\"]}", at + ".gids[0]", "unused slot"},
           Bad{"{gids: \"fe80::1\"}", at + ".gids", ""},
           Bad{"{gid_count: -1}", at + ".gid_count", "outside 0..1024"},
           Bad{"{gids: [\"fe80::1\", \"fe80::2\"], gid_count: 1}", at + ".gid_count", "fewer than the 2 GIDs"},
           Bad{"mlx5_0", at, ""},
       }) {
    INFO(b.rdma);
    auto inv = read(with_rdma(b.rdma));
    REQUIRE_FALSE(inv);
    CHECK(inv.error().code == Errc::invalid_argument);
    CHECK(inv.error().field == b.field);
    CHECK(inv.error().message.rfind("inventory.yaml:7: ", 0) == 0);   // file and line first
    CHECK(inv.error().message.find(b.says) != std::string::npos);
  }
}

TEST_CASE("normalize_gid: IPv6 text in sysfs's full form, anything else refused", "[inventory][rdma]") {
  CHECK(normalize_gid("fe80::1") == "fe80:0000:0000:0000:0000:0000:0000:0001");
  CHECK(normalize_gid("FE80:0000:0000:0000:0202:C9FF:FE00:0001") == "fe80:0000:0000:0000:0202:c9ff:fe00:0001");
  CHECK(normalize_gid("::ffff:198.18.0.1") == "0000:0000:0000:0000:0000:ffff:c612:0001");
  CHECK_FALSE(normalize_gid(""));
  CHECK_FALSE(normalize_gid("fe80::1/64"));
  CHECK_FALSE(normalize_gid("fe80:::1"));
  CHECK_FALSE(normalize_gid(" fe80::1"));
}
