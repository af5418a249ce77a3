// The found cabling map against the inventory's (coordinator/model/cabling_diff.hpp), on
// hand-made inventories: ports the inventory has wrong, ports it leaves unmapped, ports that
// agree (counted, not listed), any-to-any ports, a port found on another switch, the switch
// filter, ports not found, and maps that are not of this inventory refused naming the port.
#include <catch2/catch.hpp>

#include <string>

#include "coordinator/model/cabling_diff.hpp"
#include "coordinator/model/inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// ocs0 is 32x32 (NxM), cal any-to-any. h1, h2 mapped on ocs0; h3 on ocs0 without a map; h4, h5
// on cal, h5 without a map.
const char* kDiffInventory = R"(version: 1
hosts:
  - {name: h1, agent: {url: "http://127.0.0.1:9"}, ports: [{name: ocs0, ocs: {switch: ocs0, tx: 1, rx: 17}}, {name: eps0, eps: {switch: eps1}}]}
  - {name: h2, agent: {url: "http://127.0.0.1:9"}, ports: [{name: ocs1, ocs: {switch: ocs0, tx: 5, rx: 21}}]}
  - {name: h3, agent: {url: "http://127.0.0.1:9"}, ports: [{name: ocs0, ocs: {switch: ocs0}}]}
  - {name: h4, agent: {url: "http://127.0.0.1:9"}, ports: [{name: ocs0, ocs: {switch: cal, port: 5}}]}
  - {name: h5, agent: {url: "http://127.0.0.1:9"}, ports: [{name: ocs0, ocs: {switch: cal}}]}
switches:
  - {name: ocs0, kind: ocs, uri: "polatis-tl1://admin@127.0.0.1:13082"}
  - {name: cal, kind: ocs, uri: "calient-tl1://admin@127.0.0.1:3083"}
  - {name: eps1, kind: eps}
)";

Inventory diff_inventory() {
  auto inv = parse_inventory(kDiffInventory, "inv.yaml", "");
  INFO((inv ? std::string() : inv.error().message));
  REQUIRE(inv);
  return *inv;
}

OcsCabling nxm(const char* sw, const char* tx, const char* rx) { return OcsCabling{.switch_name = sw, .tx = tx, .rx = rx, .port = {}}; }
OcsCabling one_port(const char* sw, const char* port) { return OcsCabling{.switch_name = sw, .tx = {}, .rx = {}, .port = port}; }

}  // namespace

TEST_CASE("cabling diff: wrong, unmapped and agreeing ports, NxM and any-to-any", "[cabling][diff]") {
  const Inventory inv = diff_inventory();
  CablingMap found;
  found.set({"h1", "ocs0"}, nxm("ocs0", "1", "17"));     // agrees
  found.set({"h2", "ocs1"}, nxm("ocs0", "7", "23"));     // wrong
  found.set({"h3", "ocs0"}, nxm("ocs0", "2", "18"));     // unmapped in the inventory
  found.set({"h4", "ocs0"}, one_port("cal", "9"));       // wrong, any-to-any
  found.set({"h5", "ocs0"}, one_port("cal", "5"));       // unmapped; takes the port the inventory gives h4

  auto diff = diff_cabling(inv, found);
  INFO((diff ? std::string() : diff.error().message));
  REQUIRE(diff);
  CHECK(diff->agreeing == 1);
  CHECK(diff->not_found.empty());
  CHECK_FALSE(diff->agrees());
  CHECK(diff->lines() == std::vector<std::string>{
                             "h2:ocs1: inventory says in 5/out 21, found in 7/out 23",
                             "h3:ocs0: inventory has no map, found in 2/out 18",
                             "h4:ocs0: inventory says port 5, found port 9",
                             "h5:ocs0: inventory has no map, found port 5",
                         });
  REQUIRE(diff->differences.size() == 4);
  const auto& wrong = diff->differences[0];
  CHECK(wrong.kind == CablingDifferenceKind::wrong);
  CHECK(wrong.port == PortRef{"h2", "ocs1"});
  CHECK(wrong.inventory == nxm("ocs0", "5", "21"));
  CHECK(wrong.found == nxm("ocs0", "7", "23"));
  const auto& unmapped = diff->differences[1];
  CHECK(unmapped.kind == CablingDifferenceKind::unmapped);
  CHECK(unmapped.inventory.switch_name == "ocs0");
  CHECK_FALSE(unmapped.inventory.mapped());
}

TEST_CASE("cabling diff: an inventory that is right lists nothing and counts every port", "[cabling][diff]") {
  const Inventory inv = diff_inventory();
  CablingMap found;
  found.set({"h1", "ocs0"}, nxm("ocs0", "1", "17"));
  found.set({"h2", "ocs1"}, nxm("ocs0", "5", "21"));
  found.set({"h4", "ocs0"}, one_port("cal", "5"));
  auto diff = diff_cabling(inv, found);
  REQUIRE(diff);
  CHECK(diff->agrees());
  CHECK(diff->lines().empty());
  CHECK(diff->agreeing == 3);
  // The unmapped ports the map has nothing for are not found, not differences.
  CHECK(diff->not_found == std::vector<PortRef>{{"h3", "ocs0"}, {"h5", "ocs0"}});
}

TEST_CASE("cabling diff: the switch filter, and a port found on another switch", "[cabling][diff]") {
  const Inventory inv = diff_inventory();
  CablingMap found;
  found.set({"h1", "ocs0"}, nxm("ocs0", "1", "17"));
  found.set({"h3", "ocs0"}, one_port("cal", "12"));     // the inventory says ocs0
  found.set({"h4", "ocs0"}, one_port("cal", "9"));

  auto on_ocs0 = diff_cabling(inv, found, "ocs0");
  REQUIRE(on_ocs0);
  CHECK(on_ocs0->agreeing == 1);
  CHECK(on_ocs0->lines() == std::vector<std::string>{"h3:ocs0: inventory has no map (switch ocs0), found switch cal port 12"});
  CHECK(on_ocs0->not_found == std::vector<PortRef>{{"h2", "ocs1"}});

  auto on_cal = diff_cabling(inv, found, "cal");
  REQUIRE(on_cal);
  CHECK(on_cal->agreeing == 0);
  CHECK(on_cal->lines() == std::vector<std::string>{"h3:ocs0: inventory has no map (switch ocs0), found switch cal port 12",
                                                    "h4:ocs0: inventory says port 5, found port 9"});
  CHECK(on_cal->not_found == std::vector<PortRef>{{"h5", "ocs0"}});

  CablingMap moved;
  moved.set({"h2", "ocs1"}, nxm("cal", "3", "4"));
  auto across = diff_cabling(inv, moved);
  REQUIRE(across);
  CHECK(across->lines() == std::vector<std::string>{"h2:ocs1: inventory says switch ocs0 in 5/out 21, found switch cal in 3/out 4"});
}

TEST_CASE("cabling diff: a map that is not of this inventory's OCS ports is refused, naming the port", "[cabling][diff]") {
  const Inventory inv = diff_inventory();
  const auto refused = [&](const PortRef& port, const OcsCabling& cabling) {
    CablingMap found;
    found.set({"h1", "ocs0"}, nxm("ocs0", "1", "17"));
    found.set(port, cabling);
    auto diff = diff_cabling(inv, found);
    REQUIRE_FALSE(diff);
    CHECK(diff.error().code == Errc::invalid_argument);
    CHECK(diff.error().field == port.str());
    return diff.error().message;
  };
  CHECK(refused({"h9", "ocs0"}, nxm("ocs0", "2", "18")) == "h9:ocs0: no host 'h9' in the inventory");
  CHECK(refused({"h1", "eps0"}, nxm("ocs0", "2", "18")) == "h1:eps0: the inventory does not cable it to an OCS");
  CHECK(refused({"h3", "ocs0"}, nxm("eps1", "2", "18")) == "h3:ocs0: found on 'eps1', which is no OCS of the inventory");
  CHECK(refused({"h3", "ocs0"}, OcsCabling{.switch_name = "ocs0", .tx = "2", .rx = {}, .port = {}}) ==
        "h3:ocs0: found without its ports (tx and rx, or port)");
  CHECK(refused({"h3", "ocs0"}, OcsCabling{.switch_name = "ocs0", .tx = "2", .rx = "3", .port = "4"}) ==
        "h3:ocs0: found with a port and tx/rx; it has one or the other");
  CHECK(refused({"h3", "ocs0"}, nxm("ocs0", "2", "2")) == "h3:ocs0: found with tx and rx both port 2");
  CHECK(refused({"h3", "ocs0"}, nxm("ocs0", "2", "17")) == "h3:ocs0: found on switch ocs0 port 17, which is found for h1:ocs0 too");
}
