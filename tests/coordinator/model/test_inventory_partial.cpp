// A partial cabling map (docs/inventory.md "A partial map"): `ocs: {switch: S}` alone is read,
// half an NxM pair is still refused naming the missing key, the inventory lists the ports that
// lack their map, and what needs the map (topology resolution) fails with the one error that
// names every such port, told apart by its cause.
#include <catch2/catch.hpp>

#include <string>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/model/unmapped_cabling.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// h1 mapped on ocs0, h2 and h3 on ocs0 without a map, h4 on the any-to-any cal without one, h5
// mapped on cal; h1 also has an EPS port.
const std::string kPartialInventory = R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://127.0.0.1:9"}
    ports:
      - {name: ocs0, ocs: {switch: ocs0, tx: 1, rx: 17}}
      - {name: eps0, eps: {switch: eps1, port: 3}}
  - name: h2
    agent: {url: "http://127.0.0.1:9"}
    ports: [{name: ocs0, ocs: {switch: ocs0}}]
  - name: h3
    agent: {url: "http://127.0.0.1:9"}
    ports:
      - name: ocs0
        ocs:
          switch: ocs0
  - name: h4
    agent: {url: "http://127.0.0.1:9"}
    ports: [{name: ocs0, ocs: {switch: cal}}]
  - name: h5
    agent: {url: "http://127.0.0.1:9"}
    ports: [{name: ocs0, ocs: {switch: cal, port: "1.1.1"}}]
switches:
  - {name: ocs0, kind: ocs, uri: "polatis-tl1://admin@127.0.0.1:13082"}
  - {name: cal, kind: ocs, uri: "calient-tl1://admin@127.0.0.1:3083"}
  - {name: eps1, kind: eps}
)";

std::string with_partial(const std::string& from, const std::string& to) {
  std::string text = kPartialInventory;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

Inventory partial_inventory() {
  auto inv = parse_inventory(kPartialInventory, "inv.yaml", "");
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv);
  return *inv;
}

std::vector<PortRef> refs(std::initializer_list<const char*> names) {
  std::vector<PortRef> out;
  for (const char* n : names) out.push_back(*PortRef::parse(n));
  return out;
}

}  // namespace

TEST_CASE("partial cabling: a port may say only which OCS it is on", "[inventory][cabling]") {
  const Inventory inv = partial_inventory();
  const auto h2 = inv.find_port(PortRef{"h2", "ocs0"});
  REQUIRE(h2);
  REQUIRE((*h2)->ocs);
  CHECK((*h2)->ocs->switch_name == "ocs0");
  CHECK_FALSE((*h2)->ocs->mapped());
  CHECK_FALSE((*h2)->ocs->tx);
  CHECK_FALSE((*h2)->ocs->rx);
  CHECK_FALSE((*h2)->ocs->port);
  CHECK((*inv.find_port(PortRef{"h1", "ocs0"}))->ocs->mapped());
  CHECK((*inv.find_port(PortRef{"h5", "ocs0"}))->ocs->mapped());

  CHECK(inv.ocs_ports() == refs({"h1:ocs0", "h2:ocs0", "h3:ocs0", "h4:ocs0", "h5:ocs0"}));
  CHECK(inv.ocs_ports("cal") == refs({"h4:ocs0", "h5:ocs0"}));
  CHECK(inv.unmapped_ocs_ports() == refs({"h2:ocs0", "h3:ocs0", "h4:ocs0"}));
  CHECK(inv.unmapped_ocs_ports("ocs0") == refs({"h2:ocs0", "h3:ocs0"}));
  CHECK(inv.unmapped_ocs_ports("eps1").empty());
  CHECK(inv.unmapped_ocs_ports("nope").empty());
}

TEST_CASE("partial cabling: the switch is still checked, and half an NxM pair is refused naming the missing key", "[inventory][cabling]") {
  auto unknown = parse_inventory(with_partial("ports: [{name: ocs0, ocs: {switch: ocs0}}]", "ports: [{name: ocs0, ocs: {switch: ocs9}}]"),
                                 "inv.yaml", "");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "inv.yaml:10: hosts[1].ports[0].ocs.switch: no switch named 'ocs9' under switches:");
  CHECK(unknown.error().field == "hosts[1].ports[0].ocs.switch");

  auto eps = parse_inventory(with_partial("ports: [{name: ocs0, ocs: {switch: ocs0}}]", "ports: [{name: ocs0, ocs: {switch: eps1}}]"),
                             "inv.yaml", "");
  REQUIRE_FALSE(eps);
  CHECK(eps.error().message.find("hosts[1].ports[0].ocs.switch: switch 'eps1' is kind eps, expected ocs") != std::string::npos);

  auto no_switch = parse_inventory(with_partial("ports: [{name: ocs0, ocs: {switch: ocs0}}]", "ports: [{name: ocs0, ocs: {}}]"), "inv.yaml", "");
  REQUIRE_FALSE(no_switch);
  CHECK(no_switch.error().field == "hosts[1].ports[0].ocs.switch");

  auto tx_alone = parse_inventory(with_partial("ocs: {switch: ocs0}}]", "ocs: {switch: ocs0, tx: 2}}]"), "inv.yaml", "");
  REQUIRE_FALSE(tx_alone);
  CHECK(tx_alone.error().field == "hosts[1].ports[0].ocs.rx");
  CHECK(tx_alone.error().message == "inv.yaml:10: hosts[1].ports[0].ocs.rx: an NxM port needs both tx and rx");

  auto rx_alone = parse_inventory(with_partial("ocs: {switch: ocs0}}]", "ocs: {switch: ocs0, rx: 18}}]"), "inv.yaml", "");
  REQUIRE_FALSE(rx_alone);
  CHECK(rx_alone.error().field == "hosts[1].ports[0].ocs.tx");
}

TEST_CASE("partial cabling: a topology through unmapped ports fails naming all of them", "[inventory][cabling][topology]") {
  const Inventory inv = partial_inventory();
  // h1 - h2 on ocs0, h2 without its map; h4 - h5 on cal, h4 without its map.
  auto t = parse_topology_text(R"(topologies:
  - name: both
    circuits: ["h1:ocs0 - h2:ocs0", "h4:ocs0 - h5:ocs0"]
)",
                               "topo.yaml", inv);
  REQUIRE_FALSE(t);
  CHECK(is_unmapped_cabling(t.error()));
  CHECK(t.error().code == Errc::invalid_argument);
  CHECK(t.error().field == "ocs");
  CHECK(t.error().message ==
        "topo.yaml:2: topology 'both': no cabling map for h2:ocs0, h4:ocs0 (the inventory says only `ocs: {switch: ocs0}` or "
        "`ocs: {switch: cal}`; run `mixnet-coord cabling discover`)");

  // Other errors come first: they are not discovery's to fix.
  auto across = parse_topology_text("name: x\ncircuits: [\"h2:ocs0 - h4:ocs0\"]\n", "topo.yaml", inv);
  REQUIRE_FALSE(across);
  CHECK_FALSE(is_unmapped_cabling(across.error()));
  CHECK(across.error().message.find("different switches") != std::string::npos);
}

TEST_CASE("partial cabling: require_cabling_map names only the unmapped ports, and cuts a long list", "[inventory][cabling]") {
  const Inventory inv = partial_inventory();
  CHECK(require_cabling_map("ocs.apply", inv, refs({"h1:ocs0", "h5:ocs0", "h1:eps0", "h9:x"})));
  auto missing = require_cabling_map("ocs.apply", inv, refs({"h1:ocs0", "h3:ocs0", "h2:ocs0", "h3:ocs0"}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().cause == Cause::cabling_unmapped);
  CHECK(missing.error().message ==
        "ocs.apply: no cabling map for h3:ocs0, h2:ocs0 (the inventory says only `ocs: {switch: ocs0}`; run `mixnet-coord cabling discover`)");

  std::vector<PortRef> many;
  for (int i = 0; i < 23; ++i) many.push_back(PortRef{"h" + std::to_string(i), "p"});
  const Error long_list = unmapped_cabling_error("ocs.apply", inv, many);
  CHECK(long_list.message.find("h19:p and 3 more (") != std::string::npos);
  CHECK(long_list.message.find("h20:p") == std::string::npos);
}
