// End to end through the lab: circuits made over the emulator's Polatis TL1 and RESTCONF (with the
// drivers and the inventory's URIs) bring carrier up at both NIC ports only when both directions
// exist, carry traffic only between the two ports they join, and take carrier down when broken.
#include <catch2/catch.hpp>
#include <thread>

#include "hwdrivers/ocs/optical_switch.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;
using namespace std::chrono_literals;

namespace {

void apply(mixnet::ocs::OpticalSwitch& sw, const mixnet::ocs::ChangeSet& change) {
  const auto r = sw.apply(change);
  INFO((r ? std::string("ok") : r.error().describe()));
  REQUIRE(r.has_value());
}

mixnet::ocs::CrossConnect fibre(const LabPort& from, const LabPort& to) {
  return {std::to_string(from.tx), std::to_string(to.rx), false};
}

// One circuit between a:pa and b:pb over `uri`, checked from half-made to broken; `c` is a third
// host whose same-named port must never hear anything.
void exercise_circuit(const LabUnderTest& lab, const std::string& uri, const std::string& a, const std::string& b,
                      const std::string& c, const std::string& port) {
  const auto& inv = lab.inventory();
  const LabPort& pa = inv.host(a).port(port);
  const LabPort& pb = inv.host(b).port(port);
  auto sw = mixnet::ocs::open_switch(uri);
  REQUIRE(sw.has_value());

  // Half a circuit: a's light reaches b, b's does not reach a. Both ends stay dark, well past the
  // longest fast-profile training delay (300 ms).
  apply(**sw, {{fibre(pa, pb)}, {}});
  std::this_thread::sleep_for(800ms);
  CHECK_FALSE(lab.carrier(a, port));
  CHECK_FALSE(lab.carrier(b, port));

  // The other direction completes it: both ends train and come up.
  apply(**sw, {{fibre(pb, pa)}, {}});
  CHECK(lab.wait_carrier(a, port, true));
  CHECK(lab.wait_carrier(b, port, true));
  CHECK_FALSE(lab.carrier(c, port));

  // Traffic passes between the two joined ports, both ways, and nowhere else.
  CHECK(udp_reaches(inv, a, port, b, port));
  CHECK(udp_reaches(inv, b, port, a, port));
  CHECK_FALSE(udp_reaches(inv, a, port, c, port));
  CHECK_FALSE(udp_reaches(inv, c, port, b, port));
  const std::string other = port == "ocs0" ? "ocs1" : "ocs0";
  CHECK_FALSE(udp_reaches(inv, a, other, b, port));

  // `mixnet-lab status` names the circuit by its NIC ports and shows both ends' carrier.
  const auto status = run_lab("status --json --name " + lab.name());
  REQUIRE(status.exit_code == 0);
  const auto st = nlohmann::json::parse(status.output);
  int named = 0;
  for (const auto& circuit : st.at("switches").at(0).at("circuits")) {
    named += (circuit.at("from_port") == a + ":" + port && circuit.at("to_port") == b + ":" + port) ? 1 : 0;
    named += (circuit.at("from_port") == b + ":" + port && circuit.at("to_port") == a + ":" + port) ? 1 : 0;
  }
  CHECK(named == 2);
  int lit_ends = 0;
  for (const auto& h : st.at("hosts")) {
    CHECK(h.at("alive") == true);
    for (const auto& p : h.at("ports")) {
      if (p.at("name") == port && (h.at("name") == a || h.at("name") == b)) lit_ends += p.at("carrier") == true ? 1 : 0;
    }
  }
  CHECK(lit_ends == 2);  // both ends are shown, each with carrier

  // Breaking it takes carrier down at both ends.
  apply(**sw, {{}, {std::to_string(pa.tx), std::to_string(pb.tx)}});
  CHECK(lab.wait_carrier(a, port, false));
  CHECK(lab.wait_carrier(b, port, false));
  CHECK_FALSE(udp_reaches(inv, a, port, b, port));
}

}  // namespace

TEST_CASE("a lab circuit made over TL1 lights both ends and carries traffic only between them", "[lab]") {
  LabUnderTest lab("--hosts 3 --ocs-ports 2 --eps-ports 1 --profile fast");
  exercise_circuit(lab, lab.inventory().tl1_uri, "h1", "h2", "h3", "ocs0");

  // The ground truth saw each end light, train (a drawn delay) and come up, in that order.
  const auto events = lab.control("/v1/plane/events?after=0&limit=1000");
  REQUIRE(events.status == 200);
  const auto all = events.json();  // kept: a range-for over a temporary's member would dangle
  for (const std::string end : {"h1:ocs0", "h2:ocs0"}) {
    INFO(end);
    std::int64_t light_on = 0, link_up = 0;
    double training_ms = -1;
    for (const auto& e : all.at("events")) {
      if (e.at("end") != end) continue;
      if (e.at("kind") == "light_on" && light_on == 0) light_on = e.at("time_ns").get<std::int64_t>();
      if (e.at("kind") == "link_up" && link_up == 0) {
        link_up = e.at("time_ns").get<std::int64_t>();
        training_ms = e.at("training_ms").get<double>();
      }
    }
    CHECK(light_on > 0);
    CHECK(link_up >= light_on);
    CHECK(training_ms > 0);
  }
}

TEST_CASE("a lab circuit made over RESTCONF lights both ends and carries traffic only between them", "[lab]") {
  LabUnderTest lab("--hosts 3 --ocs-ports 2 --eps-ports 1 --profile fast --seed 5");
  exercise_circuit(lab, lab.inventory().rest_uri, "h3", "h1", "h2", "ocs1");
}

TEST_CASE("lab EPS ports reach each other through the electrical switch", "[lab]") {
  LabUnderTest lab("--hosts 3 --ocs-ports 1 --eps-ports 1");
  CHECK(lab.carrier("h1", "eps0"));
  CHECK(udp_reaches(lab.inventory(), "h1", "eps0", "h3", "eps0"));
  // The OCS ports stay dark without a circuit.
  CHECK_FALSE(lab.carrier("h1", "ocs0"));
}
