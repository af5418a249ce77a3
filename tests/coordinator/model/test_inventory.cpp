// The inventory reader: a valid file reads into the model; every rule of docs/inventory.md is
// enforced with an error that names file:line and the key path.
#include <catch2/catch.hpp>

#include <string>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

const std::string kGood = R"(version: 1
name: lab
hosts:
  - name: h1
    gpus: 8
    agent:
      url: http://198.19.240.11:7470
      token_file: token
    ports:
      - name: ocs0
        address: 198.18.1.10/16
        mac: "02:00:C6:12:01:0A"
        ocs: {switch: ocs1, tx: 7, rx: 29}
        expect: {speed_mbps: 100000, mtu: 1500}
      - name: ocs1
        ocs: {switch: cal, port: "1.1.1"}
      - name: eps0
        eps: {switch: eps1, port: 3}
      - name: spare
switches:
  - name: ocs1
    kind: ocs
    uri: polatis-tl1://admin@127.0.0.1:13082?password-file=pw
    alt_uris: [polatis-rest://admin@127.0.0.1:18008]
    ground_truth: {url: "http://127.0.0.1:18099", token_file: /abs/token}
  - {name: cal, kind: ocs, uri: "calient-tl1://admin@127.0.0.1:3083"}
  - {name: eps1, kind: eps}
lab: {dir: /run/lab, seed: 7, profile: fast}
)";

// Parses `text` and returns the error message (fails the test when it parses).
std::string inventory_error(const std::string& text) {
  auto inv = parse_inventory(text, "inv.yaml", "/etc/lab");
  REQUIRE_FALSE(inv.has_value());
  return inv.error().message;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a valid inventory reads into the model") {
  auto inv = parse_inventory(kGood, "inv.yaml", "/etc/lab");
  REQUIRE(inv.has_value());
  CHECK(inv->name == "lab");
  REQUIRE(inv->hosts.size() == 1);
  const auto& h1 = inv->hosts[0];
  CHECK(h1.gpus == 8);
  CHECK(h1.agent.url == "http://198.19.240.11:7470");
  CHECK(h1.agent.token_file == "/etc/lab/token");   // relative to the inventory's folder
  REQUIRE(h1.ports.size() == 4);
  const auto& p0 = h1.ports[0];
  CHECK(p0.address == "198.18.1.10/16");
  CHECK(p0.mac == "02:00:c6:12:01:0a");   // normalized to lower case
  REQUIRE(p0.ocs.has_value());
  CHECK(p0.ocs->switch_name == "ocs1");
  CHECK(p0.ocs->tx == "7");
  CHECK(p0.ocs->rx == "29");
  CHECK_FALSE(p0.ocs->duplex_port());
  CHECK(p0.expect.speed_mbps == 100000);
  CHECK(p0.expect.mtu == 1500);
  CHECK(h1.ports[1].ocs->port == "1.1.1");
  CHECK(h1.ports[2].eps->port == "3");
  CHECK_FALSE(h1.ports[3].ocs.has_value());
  CHECK_FALSE(h1.ports[3].eps.has_value());
  REQUIRE(inv->switches.size() == 3);
  CHECK(inv->switches[0].alt_uris.size() == 1);
  CHECK(inv->switches[0].ground_truth->token_file == "/abs/token");
  CHECK(inv->lab->seed == 7);
  auto port = inv->find_port(PortRef{"h1", "ocs1"});
  REQUIRE(port.has_value());
  CHECK((*port)->name == "ocs1");
  CHECK_FALSE(inv->find_port(PortRef{"h9", "ocs1"}).has_value());
}

TEST_CASE("an unknown key is an error naming file, line and key path") {
  const auto msg = inventory_error(replace(kGood, "        ocs: {switch: ocs1, tx: 7, rx: 29}", "        ocs: {switch: ocs1, tx: 7, rx: 29, txx: 8}"));
  CHECK(msg.find("inv.yaml:13: hosts[0].ports[0].ocs.txx: unknown key") == 0);
  const auto top = inventory_error(replace(kGood, "name: lab", "nmae: lab"));
  CHECK(top.find("inv.yaml:2: nmae: unknown key") == 0);
}

TEST_CASE("inventory rules are enforced") {
  SECTION("version is required and must be 1") {
    CHECK(inventory_error(replace(kGood, "version: 1\n", "")).find("version: required") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "version: 1", "version: 2")).find("inv.yaml:1: version: version 2 is not known") == 0);
  }
  SECTION("a switch port is used once") {
    const auto msg = inventory_error(replace(kGood, "eps: {switch: eps1, port: 3}", "ocs: {switch: ocs1, tx: 8, rx: 29}"));
    CHECK(msg.find("hosts[0].ports[2].ocs.rx: switch ocs1 port 29 is already used by h1:ocs0 (rx)") != std::string::npos);
  }
  SECTION("ocs and eps together") {
    const auto msg = inventory_error(replace(kGood, "        eps: {switch: eps1, port: 3}", "        eps: {switch: eps1, port: 3}\n        ocs: {switch: ocs1, port: 40}"));
    CHECK(msg.find("not both") != std::string::npos);
  }
  SECTION("tx without rx") {
    const auto msg = inventory_error(replace(kGood, "{switch: ocs1, tx: 7, rx: 29}", "{switch: ocs1, tx: 7}"));
    CHECK(msg.find("hosts[0].ports[0].ocs.rx: an NxM port needs both tx and rx") != std::string::npos);
  }
  SECTION("port together with tx/rx") {
    CHECK(inventory_error(replace(kGood, "{switch: ocs1, tx: 7, rx: 29}", "{switch: ocs1, tx: 7, rx: 29, port: 3}")).find("not both") != std::string::npos);
  }
  SECTION("a switch of the wrong kind") {
    const auto msg = inventory_error(replace(kGood, "eps: {switch: eps1, port: 3}", "eps: {switch: ocs1, port: 3}"));
    CHECK(msg.find("hosts[0].ports[2].eps.switch: switch 'ocs1' is kind ocs, expected eps") != std::string::npos);
  }
  SECTION("an unknown switch") {
    CHECK(inventory_error(replace(kGood, "{switch: cal, port", "{switch: nope, port")).find("no switch named 'nope'") != std::string::npos);
  }
  SECTION("duplicate host and port names") {
    CHECK(inventory_error(replace(kGood, "      - name: spare", "      - name: eps0")).find("port 'eps0' of host h1 is already defined at line 17") != std::string::npos);
    const auto two_hosts = replace(kGood, "switches:", "  - name: h1\n    agent: {url: \"http://h:1\"}\nswitches:");
    CHECK(inventory_error(two_hosts).find("host 'h1' is already defined at line 4") != std::string::npos);
  }
  SECTION("bad values") {
    CHECK(inventory_error(replace(kGood, "http://198.19.240.11:7470", "ftp://x")).find("agent.url: 'ftp://x' is not http(s)://ADDR:PORT") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "\"02:00:C6:12:01:0A\"", "\"02:00:zz:12:01:0a\"")).find("is not a MAC address") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "198.18.1.10/16", "198.18.1.10")).find("is not ADDRESS/PREFIX") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "gpus: 8", "gpus: eight")).find("hosts[0].gpus: expected an integer") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "mtu: 1500", "mtu: 20")).find("20 is outside 68..65535") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "- name: ocs0", "- name: a/b")).find("is not a netdev name") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "- name: h1", "- name: \"h 1\"")).find("is not a valid host name") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "{name: eps1, kind: eps}", "{name: eps1, kind: eps, uri: \"x://y\"}")).find("only an OCS has this key") != std::string::npos);
    CHECK(inventory_error(replace(kGood, "kind: eps}", "kind: ips}")).find("'ips' is not a switch kind") != std::string::npos);
  }
  SECTION("YAML syntax errors carry the line") {
    CHECK(inventory_error("version: 1\nhosts: [\n").find("inv.yaml:") == 0);
  }
}

TEST_CASE("PortRef parses HOST:PORT") {
  auto p = PortRef::parse("h1:ocs0");
  REQUIRE(p.has_value());
  CHECK(p->host == "h1");
  CHECK(p->port == "ocs0");
  CHECK(p->str() == "h1:ocs0");
  CHECK_FALSE(PortRef::parse("h1").has_value());
  CHECK_FALSE(PortRef::parse(":p").has_value());
  CHECK_FALSE(PortRef::parse("h:").has_value());
  CHECK_FALSE(PortRef::parse("a:b:c").has_value());
}

// The example docs/inventory.md points people to must read, describe the prototype (4 hosts x 8
// GPUs, 3 OCS + 1 EPS ports each, one NxM Polatis), and carry every ready prototype topology.
TEST_CASE("the shipped example inventory reads and resolves the prototype topologies") {
  const std::string dir = MIXNET_SOURCE_DIR "/playbooks";
  auto inv = read_inventory(dir + "/examples/inventory.yaml");
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv.has_value());
  REQUIRE(inv->hosts.size() == 4);
  for (const auto& h : inv->hosts) {
    CHECK(h.gpus == 8);
    int ocs = 0, eps = 0;
    for (const auto& p : h.ports) {
      if (p.ocs) {
        ++ocs;
        CHECK_FALSE(p.ocs->duplex_port());   // NxM: a TX input and an RX output per NIC
      }
      if (p.eps) ++eps;
    }
    CHECK(ocs == 3);
    CHECK(eps == 1);
  }
  REQUIRE(inv->switches.size() == 2);
  CHECK_FALSE(inv->switches[0].ground_truth.has_value());   // real hardware: no emulator truth
  auto topologies = read_topology_file(dir + "/topologies/prototype.yaml", *inv);
  INFO((topologies ? std::string() : topologies.error().message));
  REQUIRE(topologies.has_value());
  CHECK(topologies->size() == 3);
}
