// `mixnet-lab shape` and `up --line-rate-mbit`: every data port of the lab at one line rate both
// ways, read back from the kernel (tc -j in every namespace), the inventory (as the coordinator
// reads it) and TCP transfers through the agents; the rate survives circuit changes, a port's
// fault cap wins over it until cleared, and --off removes it all.
#include <catch2/catch.hpp>
#include <fstream>
#include <tuple>
#include <yaml-cpp/yaml.h>

#include "coordinator/model/inventory.hpp"
#include "coordinator/topogen/quality.hpp"
#include "tests/support/netns.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet::testing;
using nlohmann::json;

namespace {

struct ShapedDev {
  std::string netns, dev;
};

// Both ends of every data port of a lab of 2 hosts with one OCS and one EPS port each: the NIC in
// the host, its OCS-side end (from the plane file) and its bridge port in the EPS namespace.
std::vector<ShapedDev> shape_test_devs(const LabUnderTest& lab) {
  const std::string prefix = "mxl-" + lab.name() + "-";
  std::ifstream in(lab.dir() + "/plane.json");
  const auto plane = json::parse(in);
  std::vector<ShapedDev> out;
  for (const auto& e : plane.at("ends")) out.push_back({plane.at("netns"), e.at("dev")});
  for (const std::string h : {"h1", "h2"}) {
    out.push_back({prefix + h, "ocs0"});
    out.push_back({prefix + h, "eps0"});
    out.push_back({prefix + "eps", h + "e0"});
  }
  return out;
}

// The rate of DEV's root tbf in Mbit/s, 0 when its root qdisc is no tbf.
double root_tbf_mbit(const ShapedDev& d) {
  const auto qdiscs = json::parse(run_command("tc -j -n " + d.netns + " qdisc show dev " + d.dev));
  for (const auto& q : qdiscs) {
    if (q.value("kind", "") == "tbf" && q.value("root", false)) return q.at("options").at("rate").get<double>() * 8 / 1e6;
  }
  return 0;
}

// Every root rate, "netns/dev=rate" (for one CHECK over all ends with a readable failure).
std::vector<std::string> rates_of(const std::vector<ShapedDev>& devs) {
  std::vector<std::string> out;
  for (const auto& d : devs) out.push_back(d.netns + "/" + d.dev + "=" + std::to_string(static_cast<int>(root_tbf_mbit(d))));
  return out;
}
std::vector<std::string> all_at(const std::vector<ShapedDev>& devs, int mbit) {
  std::vector<std::string> out;
  for (const auto& d : devs) out.push_back(d.netns + "/" + d.dev + "=" + std::to_string(mbit));
  return out;
}

// expect.speed_mbps of every data port in the lab's inventory ("host:port=N", "=none").
std::vector<std::string> inventory_speeds(const LabUnderTest& lab) {
  std::vector<std::string> out;
  const YAML::Node root = YAML::LoadFile(lab.dir() + "/inventory.yaml");
  for (const auto& h : root["hosts"]) {
    for (const auto& p : h["ports"]) {
      const auto speed = p["expect"] && p["expect"]["speed_mbps"] ? p["expect"]["speed_mbps"].as<std::string>() : "none";
      out.push_back(h["name"].as<std::string>() + ":" + p["name"].as<std::string>() + "=" + speed);
    }
  }
  return out;
}
std::vector<std::string> every_port_at(const std::string& speed) {
  return {"h1:ocs0=" + speed, "h1:eps0=" + speed, "h2:ocs0=" + speed, "h2:eps0=" + speed};
}

// A TCP transfer of `bytes` from A:PORT to B:PORT through the agents' traffic API; the rate of
// the bytes the server confirmed, in Mbit/s (negative, with the reply in `why`, when it failed).
double agent_tcp_mbit(const LabUnderTest& lab, const std::string& a, const std::string& b, const std::string& port,
                      std::uint64_t bytes, std::string& why) {
  const auto server = lab.agent(b, "/v1/traffic/servers", "POST", json{{"port", port}, {"duration_ms", 30000}}.dump());
  if (server.status != 200 && server.status != 201) return why = server.body, -1;
  const json s = server.json();
  const std::string peer = lab.inventory().host(b).port(port).address;
  const auto client = lab.agent(a, "/v1/traffic/runs", "POST",
                                json{{"port", port},
                                     {"peer", peer},
                                     {"peer_tcp_port", s.at("tcp_port")},
                                     {"secret", s.at("secret")},
                                     {"bytes", bytes}}
                                    .dump());
  if (client.status != 200 && client.status != 201) return why = client.body, -1;
  const std::string id = client.json().at("id");
  const auto done = lab.agent(a, "/v1/traffic/runs/" + id + "?wait_ms=20000");
  const json r = done.json();
  if (r.value("state", "") != "done") return why = done.body, -1;
  return r.at("bytes_confirmed").get<double>() * 8 / 1e6 / r.at("seconds").get<double>();
}

}  // namespace

TEST_CASE("lab shape: every data port at one line rate both ways, through circuit changes, until --off", "[lab][shape]") {
  // Up already shaped (--line-rate-mbit); `shape` then changes the rate.
  LabUnderTest lab("--hosts 2 --ocs-ports 1 --eps-ports 1 --line-rate-mbit 20");
  const auto devs = shape_test_devs(lab);
  REQUIRE(devs.size() == 8);
  CHECK(rates_of(devs) == all_at(devs, 20));
  CHECK(inventory_speeds(lab) == every_port_at("20"));

  REQUIRE(patch_two_way(lab, "h1", "h2", true).empty());   // a circuit made before the change
  const auto shaped = run_lab("shape --name " + lab.name() + " --mbit 50");
  INFO(shaped.output);
  REQUIRE(shaped.exit_code == 0);
  CHECK(rates_of(devs) == all_at(devs, 50));
  CHECK(inventory_speeds(lab) == every_port_at("50"));
  // The coordinator learns the line rate from the inventory, as for real hardware.
  auto inventory = mixnet::coord::read_inventory(lab.dir() + "/inventory.yaml");
  REQUIRE(inventory.has_value());
  CHECK(mixnet::coord::topogen::default_line_rate_gbps(*inventory) == Approx(0.05));
  const auto status = run_lab("status --json --name " + lab.name());
  INFO(status.output);
  CHECK(json::parse(status.output).at("line_rate_mbit") == 50);
  // The plane holds the OCS ports' rate and refuses one out of range, naming it.
  CHECK(lab.control("/v1/plane/line-rate").json().at("mbit") == 50);
  const auto refused = lab.control("/v1/plane/line-rate", "PUT", R"({"mbit":0})");
  CHECK(refused.status == 400);
  CHECK(refused.json().at("error").at("field") == "mbit");

  // The OCS re-patched: the circuit goes and comes back; the rate stays on every end.
  REQUIRE(patch_two_way(lab, "h1", "h2", false).empty());
  CHECK(lab.wait_carrier("h1", "ocs0", false));
  REQUIRE(patch_two_way(lab, "h1", "h2", true).empty());
  REQUIRE(lab.wait_carrier("h1", "ocs0", true));
  REQUIRE(lab.wait_carrier("h2", "ocs0", true));
  CHECK(rates_of(devs) == all_at(devs, 50));

  // Transfers over the circuit and over the electrical switch, each way: at most the rate plus
  // the bucket's allowance (an upper bound only: a busy machine can only make them slower).
  constexpr std::uint64_t kBytes = 2'000'000;   // about 0.3 s at 50 Mbit/s
  for (const auto& [from, to, port] : {std::tuple{"h1", "h2", "ocs0"}, std::tuple{"h2", "h1", "ocs0"},
                                       std::tuple{"h1", "h2", "eps0"}, std::tuple{"h2", "h1", "eps0"}}) {
    std::string why;
    const double mbit = agent_tcp_mbit(lab, from, to, port, kBytes, why);
    INFO(from << " -> " << to << " over " << port << ": " << mbit << " Mbit/s " << why);
    CHECK(mbit > 0);
    CHECK(mbit <= 50 * 1.25);
  }

  // A port's fault cap wins while set; clearing it brings the line rate back, not no limit.
  REQUIRE(lab.fault("cap h1:ocs0 --mbit 10").exit_code == 0);
  CHECK(root_tbf_mbit({"mxl-" + lab.name() + "-h1", "ocs0"}) == Approx(10));
  REQUIRE(lab.fault("clear h1:ocs0").exit_code == 0);
  CHECK(rates_of(devs) == all_at(devs, 50));

  const auto off = run_lab("shape --name " + lab.name() + " --off");
  INFO(off.output);
  REQUIRE(off.exit_code == 0);
  CHECK(rates_of(devs) == all_at(devs, 0));
  CHECK(inventory_speeds(lab) == every_port_at("none"));
}

TEST_CASE("lab shape: bad input is refused naming the flag, before any lab is touched", "[lab][shape]") {
  const std::string missing = unique_lab_name();
  struct Case {
    std::string args, flag;
  };
  for (const auto& c : {Case{"--mbit 0", "--mbit"}, Case{"--mbit 10001", "--mbit"}, Case{"--mbit 50 --off", "--off"},
                        Case{"", "--mbit"}, Case{"--mbit 50", "--name"}}) {
    const auto r = run_lab("shape --name " + missing + " " + c.args);
    INFO(c.args << ": " << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("shape: " + c.flag + ":") != std::string::npos);
  }
  const auto up = run_lab("up --name " + missing + " --line-rate-mbit 0");
  INFO(up.output);
  CHECK(up.exit_code == 2);
  CHECK(up.output.find("--line-rate-mbit") != std::string::npos);
  if (up.exit_code == 0) (void)run_lab("down --name " + missing);   // never leave a lab behind
}
