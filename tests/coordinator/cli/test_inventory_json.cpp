// `inventory show --json`: what the reader holds, printed back: the optical power thresholds per
// switch and per switch port, and each port's RDMA expectations, with the keys the file left out
// left out (an absent threshold is the check's default, not a value of the file).
#include <catch2/catch.hpp>

#include "coordinator/cli/inventory_json.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using nlohmann::json;

TEST_CASE("inventory show --json: power thresholds and RDMA expectations", "[cli][inventory]") {
  auto inv = parse_inventory(R"(version: 1
name: json-test
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:7470"}
    ports:
      - name: ens1f0
        ocs: {switch: ocs1, tx: 1, rx: 17}
        expect: {mtu: 9000}
        rdma: {device: mlx5_0, port: 1, fw_ver: 28.39.1002, link_layer: Ethernet, gids: ["fe80::1"], gid_count: 2}
      - name: ens1f1
        ocs: {switch: ocs1, tx: 2, rx: 18}
switches:
  - name: ocs1
    kind: ocs
    uri: polatis-tl1://admin@127.0.0.1:3082
    power: {min_input_dbm: -8.0, warn_input_dbm: -6, max_loss_db: 3.0, warn_loss_db: 2.5, dark_dbm: -45}
    power_ports:
      "17": {min_input_dbm: -12}
      18: {max_loss_db: 6}
  - name: ocs2
    kind: ocs
    uri: polatis-tl1://admin@127.0.0.1:3083
  - name: eps1
    kind: eps
)",
                             "inventory.yaml", "");
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv);
  const json j = inventory_json(*inv);

  const json& ocs1 = j.at("switches").at(0);
  CHECK(ocs1.at("power") == json{{"min_input_dbm", -8.0}, {"warn_input_dbm", -6.0}, {"max_loss_db", 3.0},
                                  {"warn_loss_db", 2.5}, {"dark_dbm", -45.0}});
  // Per port: only the port's own keys; the switch's fill the rest when it is judged.
  CHECK(ocs1.at("power_ports") == json{{"17", {{"min_input_dbm", -12.0}}}, {"18", {{"max_loss_db", 6.0}}}});
  // A switch without thresholds has none printed (the check's defaults apply), an EPS never.
  CHECK_FALSE(j.at("switches").at(1).contains("power"));
  CHECK_FALSE(j.at("switches").at(1).contains("power_ports"));
  CHECK(j.at("switches").at(2) == json{{"name", "eps1"}, {"kind", "eps"}});

  const json& ports = j.at("hosts").at(0).at("ports");
  CHECK(ports.at(0).at("rdma") == json{{"device", "mlx5_0"},
                                       {"port", 1},
                                       {"fw_ver", "28.39.1002"},
                                       {"link_layer", "Ethernet"},
                                       {"gids", {"fe80:0000:0000:0000:0000:0000:0000:0001"}},
                                       {"gid_count", 2}});
  CHECK(ports.at(0).at("expect") == json{{"mtu", 9000}});
  CHECK_FALSE(ports.at(1).contains("rdma"));

  // `rdma: {}` is an expectation too (the port must belong to an RDMA device): printed as {}.
  auto any = parse_inventory(R"(version: 1
hosts: [{name: h1, agent: {url: "http://127.0.0.1:7470"}, ports: [{name: ib0, rdma: {}}]}]
)",
                             "inventory.yaml", "");
  REQUIRE(any);
  CHECK(inventory_json(*any).at("hosts").at(0).at("ports").at(0).at("rdma") == json::object());
}

TEST_CASE("inventory show --json: a port without its cabling map is shown unmapped", "[cli][inventory]") {
  auto inv = parse_inventory(R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:7470"}
    ports:
      - {name: ocs0, ocs: {switch: ocs1, tx: 1, rx: 17}}
      - {name: ocs1, ocs: {switch: ocs1}}
switches:
  - {name: ocs1, kind: ocs, uri: "polatis-tl1://admin@127.0.0.1:3082"}
)",
                             "inventory.yaml", "");
  REQUIRE(inv);
  const json j = inventory_json(*inv);
  const json& ports = j.at("hosts").at(0).at("ports");
  CHECK(ports.at(0).at("ocs") == json{{"switch", "ocs1"}, {"mapped", true}, {"tx", "1"}, {"rx", "17"}});
  CHECK(ports.at(1).at("ocs") == json{{"switch", "ocs1"}, {"mapped", false}});
}
