// ocs.clear on a switch whose ports the inventory leaves without their cabling map: without
// `everything` the switch fails untouched, naming the ports (clearing "our" ports needs all of
// them); the other switch is still cleared (nothing listens there, so its item fails on the
// connection, not on the map).
#include <catch2/catch.hpp>

#include "coordinator/modules/ocs_clear.hpp"
#include "tests/coordinator/support/step_harness.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

const char* kClearUnmappedInventory = R"(version: 1
hosts:
  - {name: h1, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsA, tx: 1, rx: 9}}]}
  - {name: h2, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsA}}]}
  - {name: h3, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p, ocs: {switch: ocsB, tx: 1, rx: 9}}]}
switches:
  - {name: ocsA, kind: ocs, uri: "polatis-tl1://admin:root@127.0.0.1:1"}
  - {name: ocsB, kind: ocs, uri: "polatis-tl1://admin:root@127.0.0.1:1"}
)";

}  // namespace

TEST_CASE("ocs.clear: a switch with unmapped ports fails untouched, naming them", "[ocs][cabling]") {
  ScratchDir dir("mixnet-ocs-clear");
  StepHarness h(kClearUnmappedInventory, "", dir.path, dir.path + "/leases");
  OcsClearModule clear;
  const auto r = h.run(clear, {{"switch", "ocsA"}});
  CHECK_FALSE(r.ok);
  const auto* item = h.sink.find("ocsA");
  REQUIRE(item != nullptr);
  CHECK(item->status == "failed");
  CHECK(item->message ==
        "switch ocsA: no cabling map for h2:p (the inventory says only `ocs: {switch: ocsA}`; run `mixnet-coord cabling discover`)");

  // With everything, the map is not needed: the switch is asked (and here cannot be reached).
  StepHarness all(kClearUnmappedInventory, "", dir.path, dir.path + "/leases2");
  const auto e = all.run(clear, {{"switch", "ocsA"}, {"everything", true}});
  CHECK_FALSE(e.ok);
  REQUIRE(all.sink.find("ocsA") != nullptr);
  CHECK(all.sink.find("ocsA")->message.find("cabling map") == std::string::npos);
}
