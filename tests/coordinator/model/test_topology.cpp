// Topology files: both layouts, resolution through the cabling into cross-connects, and the
// errors that name the problem.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "coordinator/model/topology.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

const char* kTopologyInventory = R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:1"}
    ports:
      - {name: p0, ocs: {switch: nxm, tx: 1, rx: 17}}
      - {name: p1, ocs: {switch: nxm, tx: 2, rx: 18}}
      - {name: b0, ocs: {switch: a2a, port: "1.1.1"}}
      - {name: e0, eps: {switch: eps}}
      - {name: x0, ocs: {switch: other, tx: 1, rx: 2}}
      - {name: bd, ocs: {switch: nxm, port: 30}}
  - name: h-2
    agent: {url: "http://127.0.0.1:2"}
    ports:
      - {name: p0, ocs: {switch: nxm, tx: 3, rx: 19}}
      - {name: p1, ocs: {switch: nxm, tx: 4, rx: 20}}
      - {name: b0, ocs: {switch: a2a, port: "1.1.2"}}
switches:
  - {name: nxm, kind: ocs, uri: "polatis-tl1://a@h:1"}
  - {name: a2a, kind: ocs, uri: "calient-tl1://a@h:2"}
  - {name: other, kind: ocs, uri: "polatis-tl1://a@h:3"}
  - {name: eps, kind: eps}
)";

Inventory inventory() {
  auto inv = parse_inventory(kTopologyInventory, "inv.yaml", "");
  REQUIRE(inv.has_value());
  return *inv;
}

std::string topology_error_of(const std::string& text) {
  auto t = parse_topology_text(text, "topo.yaml", inventory());
  REQUIRE_FALSE(t.has_value());
  return t.error().message;
}

}  // namespace

TEST_CASE("an NxM circuit becomes two cross-connects, an any-to-any one a bidirectional one") {
  auto topologies = parse_topology_text(R"(version: 1
topologies:
  - name: straight
    description: p0 to p0
    circuits:
      - h1:p0 - h-2:p0
      - [h1:b0, h-2:b0]
  - name: empty
    circuits: []
)",
                                        "topo.yaml", inventory());
  REQUIRE(topologies.has_value());
  REQUIRE(topologies->size() == 2);
  const auto& t = (*topologies)[0];
  CHECK(t.name == "straight");
  CHECK(t.description == "p0 to p0");
  REQUIRE(t.resolved.size() == 2);
  const auto& nxm = t.resolved[0];
  CHECK(nxm.switch_name == "nxm");
  REQUIRE(nxm.cross_connects.size() == 2);
  CHECK(nxm.cross_connects[0] == ocs::CrossConnect{"1", "19", false});   // in(h1.tx) -> out(h-2.rx)
  CHECK(nxm.cross_connects[1] == ocs::CrossConnect{"3", "17", false});   // in(h-2.tx) -> out(h1.rx)
  const auto& a2a = t.resolved[1];
  REQUIRE(a2a.cross_connects.size() == 1);
  CHECK(a2a.cross_connects[0] == ocs::CrossConnect{"1.1.1", "1.1.2", true});
  CHECK(t.per_switch.at("nxm").size() == 2);
  CHECK(t.per_switch.at("a2a").size() == 1);
  REQUIRE(t.peer_of(PortRef{"h-2", "p0"}) != nullptr);
  CHECK(t.peer_of(PortRef{"h-2", "p0"})->str() == "h1:p0");
  CHECK(t.peer_of(PortRef{"h1", "p1"}) == nullptr);
  CHECK((*topologies)[1].resolved.empty());
}

TEST_CASE("a file may hold one topology with its keys at the top") {
  auto topologies = parse_topology_text("name: cross\ncircuits:\n  - h1:p0 - h-2:p1\n  - h1:p1 - h-2:p0\n", "cross.yaml", inventory());
  REQUIRE(topologies.has_value());
  REQUIRE(topologies->size() == 1);
  CHECK((*topologies)[0].per_switch.at("nxm").size() == 4);
}

TEST_CASE("topology errors name the problem") {
  const std::string head = "topologies:\n  - name: t\n    circuits:\n";
  CHECK(topology_error_of(head + "      - h1:p0 - h-2:p0\n      - h1:p0 - h-2:p1\n")
            .find("topo.yaml:5: topology 't': circuit h1:p0 - h-2:p1: port h1:p0 is used twice: it is already in circuit h1:p0 - h-2:p0 (line 4)") == 0);
  CHECK(topology_error_of(head + "      - h9:p0 - h-2:p0\n").find("no host 'h9'") != std::string::npos);
  CHECK(topology_error_of(head + "      - h1:p7 - h-2:p0\n").find("host h1 has no port 'p7'") != std::string::npos);
  CHECK(topology_error_of(head + "      - h1:e0 - h-2:p0\n").find("h1:e0 is not cabled to an OCS (it is an electrical-switch port)") != std::string::npos);
  CHECK(topology_error_of(head + "      - h1:x0 - h-2:p0\n").find("the ports are on different switches: h1:x0 on other, h-2:p0 on nxm") != std::string::npos);
  CHECK(topology_error_of(head + "      - h1:p0 - h1:p0\n").find("joins a port to itself") != std::string::npos);
  CHECK(topology_error_of(head + "      - h1:p0 -h-2:p0\n").find("is not 'HOST:PORT - HOST:PORT'") != std::string::npos);
  CHECK(topology_error_of(head + "      - h1:p0 - h-2\n").find("expected HOST:PORT") != std::string::npos);
  CHECK(topology_error_of("topologies:\n  - name: t\n    circuits: []\n  - name: t\n    circuits: []\n").find("topology 't' is already defined at line 2") != std::string::npos);
  CHECK(topology_error_of("topologies:\n  - name: t\n    circuit: []\n").find("topo.yaml:3: topologies[0].circuit: unknown key") == 0);
}

TEST_CASE("ports cabled differently cannot share a circuit") {
  const auto msg = topology_error_of("name: t\ncircuits: [[h1:bd, h-2:p0]]\n");
  CHECK(msg.find("h1:bd is cabled to one port but h-2:p0 tx/rx: both ends must be cabled the same way") != std::string::npos);
}

TEST_CASE("topology names are unique across files") {
  const auto dir = std::filesystem::temp_directory_path() / ("mixnet-topo-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.yaml") << "name: same\ncircuits: [h1:p0 - h-2:p0]\n";
  std::ofstream(dir / "b.yaml") << "name: same\ncircuits: []\n";
  auto set = read_topologies({(dir / "a.yaml").string(), (dir / "b.yaml").string()}, inventory());
  std::filesystem::remove_all(dir);
  REQUIRE_FALSE(set.has_value());
  CHECK(set.error().message.find("topology 'same' is already defined at") != std::string::npos);
  CHECK(set.error().message.find("a.yaml:1") != std::string::npos);
}
