// Each `mixnet-lab fault` does what docs/lab.md says, seen from the hosts and the kernel.
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "tests/support/netns.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;
using namespace std::chrono_literals;

namespace {

// Makes the two-way circuit between A:ocs0 and B:ocs0 through TL1.
void join(const LabUnderTest& lab, const std::string& a, const std::string& b) {
  const std::string error = patch_two_way(lab, a, b, true);
  INFO(error);
  REQUIRE(error.empty());
}

std::string ocs_dev(const LabUnderTest& lab, const std::string& end) {
  std::ifstream in(lab.dir() + "/plane.json");
  const auto plane = nlohmann::json::parse(in);
  for (const auto& e : plane.at("ends")) {
    if (e.at("id") == end) return e.at("dev").get<std::string>();
  }
  throw std::runtime_error("no end " + end + " in plane.json");
}

}  // namespace

TEST_CASE("lab fault dark keeps a circuit dark until cleared", "[lab]") {
  LabUnderTest lab("--hosts 2 --ocs-ports 1 --eps-ports 0");
  const auto f = lab.fault("dark h1:ocs0");
  INFO(f.output);
  REQUIRE(f.exit_code == 0);
  join(lab, "h1", "h2");
  std::this_thread::sleep_for(800ms);  // past the longest fast training delay
  CHECK_FALSE(lab.carrier("h1", "ocs0"));
  CHECK_FALSE(lab.carrier("h2", "ocs0"));
  REQUIRE(lab.fault("clear h1:ocs0").exit_code == 0);
  CHECK(lab.wait_carrier("h1", "ocs0", true));
  CHECK(lab.wait_carrier("h2", "ocs0", true));
}

TEST_CASE("lab fault miswire swaps two ports' fibres behind the inventory's back", "[lab]") {
  LabUnderTest lab("--hosts 3 --ocs-ports 1 --eps-ports 0");
  join(lab, "h1", "h2");
  REQUIRE(lab.wait_carrier("h2", "ocs0", true));
  const auto f = lab.fault("miswire h2:ocs0 h3:ocs0");
  INFO(f.output);
  REQUIRE(f.exit_code == 0);
  // The circuit the inventory says joins h1 and h2 now joins h1 and h3.
  CHECK(lab.wait_carrier("h2", "ocs0", false));
  CHECK(lab.wait_carrier("h3", "ocs0", true));
  CHECK(lab.wait_carrier("h1", "ocs0", true));
  CHECK(udp_reaches(lab.inventory(), "h1", "ocs0", "h3", "ocs0"));
  CHECK_FALSE(udp_reaches(lab.inventory(), "h1", "ocs0", "h2", "ocs0"));
  REQUIRE(lab.fault("clear").exit_code == 0);
  CHECK(lab.wait_carrier("h3", "ocs0", false));
  CHECK(lab.wait_carrier("h2", "ocs0", true));
  CHECK(udp_reaches(lab.inventory(), "h1", "ocs0", "h2", "ocs0"));
}

TEST_CASE("lab fault cap puts a rate limit on both directions of a port", "[lab]") {
  LabUnderTest lab("--hosts 2 --ocs-ports 1 --eps-ports 0");
  const std::string ocs_ns = "mxl-" + lab.name() + "-ocs";
  const std::string host_ns = "mxl-" + lab.name() + "-h1";
  const std::string dev = ocs_dev(lab, "h1:ocs0");
  const auto f = lab.fault("cap h1:ocs0 --mbit 10");
  INFO(f.output);
  REQUIRE(f.exit_code == 0);
  const auto ocs_side = run_command("tc -n " + ocs_ns + " qdisc show dev " + dev);
  const auto host_side = run_command("tc -n " + host_ns + " qdisc show dev ocs0");
  INFO(ocs_side << host_side);
  CHECK(ocs_side.find("tbf") != std::string::npos);
  CHECK(ocs_side.find("rate 10Mbit") != std::string::npos);
  CHECK(host_side.find("tbf") != std::string::npos);
  CHECK(host_side.find("rate 10Mbit") != std::string::npos);
  // The ingress qdisc the plane's filters hang on is still there.
  CHECK(ocs_side.find("ingress") != std::string::npos);
  REQUIRE(lab.fault("clear h1:ocs0").exit_code == 0);
  CHECK(run_command("tc -n " + ocs_ns + " qdisc show dev " + dev).find("tbf") == std::string::npos);
  CHECK(run_command("tc -n " + host_ns + " qdisc show dev ocs0").find("tbf") == std::string::npos);
}

TEST_CASE("lab fault flap takes carrier down and up the asked number of times", "[lab]") {
  LabUnderTest lab("--hosts 2 --ocs-ports 1 --eps-ports 0");
  join(lab, "h1", "h2");
  REQUIRE(lab.wait_carrier("h1", "ocs0", true));
  REQUIRE(lab.wait_carrier("h2", "ocs0", true));
  const auto f = lab.fault("flap h1:ocs0 --count 2 --down-ms 150 --up-ms 150");
  INFO(f.output);
  REQUIRE(f.exit_code == 0);
  // The ground truth: two link_down and two link_up of h1:ocs0 caused by no switch change.
  int downs = 0, ups = 0;
  for (int i = 0; i < 200 && ups < 2; ++i) {
    std::this_thread::sleep_for(50ms);
    downs = ups = 0;
    const auto events = lab.control("/v1/plane/events?after=0&limit=1000");
    REQUIRE(events.status == 200);
    const auto all = events.json();  // kept: a range-for over a temporary's member would dangle
    for (const auto& e : all.at("events")) {
      if (e.at("end") != "h1:ocs0" || e.at("change_id") != 0) continue;
      downs += e.at("kind") == "link_down" ? 1 : 0;
      ups += e.at("kind") == "link_up" ? 1 : 0;
    }
  }
  CHECK(downs == 2);
  CHECK(ups == 2);
  // The host saw carrier go (the kernel may merge quick changes: at least one loss is journaled).
  const auto journal = lab.agent("h1", "/v1/events?after=0");
  REQUIRE(journal.status == 200);
  int host_downs = 0;
  const auto all = journal.json();
  for (const auto& e : all.at("events")) host_downs += (e.at("port") == "ocs0" && e.at("kind") == "link_down") ? 1 : 0;
  CHECK(host_downs >= 1);
  CHECK(lab.wait_carrier("h1", "ocs0", true));
}

TEST_CASE("lab fault names bad ports and flags", "[lab]") {
  LabUnderTest lab("--hosts 2 --ocs-ports 1 --eps-ports 1");
  const auto no_host = lab.fault("dark h9:ocs0");
  CHECK(no_host.exit_code == 2);
  CHECK(no_host.output.find("no host h9") != std::string::npos);
  const auto eps = lab.fault("dark h1:eps0");
  CHECK(eps.exit_code == 2);
  CHECK(eps.output.find("not cabled to the OCS") != std::string::npos);
  const auto same = lab.fault("miswire h1:ocs0 h1:ocs0");
  CHECK(same.exit_code == 2);
  const auto no_rate = lab.fault("cap h1:ocs0 --mbit 0");
  CHECK(no_rate.exit_code == 2);
  CHECK(no_rate.output.find("mbit") != std::string::npos);
}
