// nic.configure through real agents: check mode lists the differences and changes nothing; a run
// applies only what differs (the kernel is the witness); a second run has nothing to do; a dead
// agent's ports are unreachable while the other hosts are configured.
#include <catch2/catch.hpp>
#include <csignal>
#include <sys/wait.h>

#include "coordinator/modules/nic_configure.hpp"
#include "tests/coordinator/support/coord_lab.hpp"
#include "tests/coordinator/support/step_harness.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

StepResult configure(CoordLab& lab, StepHarness& h, const json& args, bool check = false) {
  NicConfigureModule module;
  return lab.net.run_in(lab.coord_ns, [&] { return h.run(module, args, check); });
}

// Every address on the device, "198.18.1.1/24", as the kernel lists it.
std::vector<std::string> kernel_addresses(CoordLab& lab, const std::string& host, const std::string& dev) {
  std::vector<std::string> out;
  // `ip -j addr` may put empty objects beside the link's entry: take every addr_info there is.
  for (const auto& link : lab.net.ip_json(lab.host(host).ns, "addr show dev " + dev)) {
    for (const auto& a : link.value("addr_info", nlohmann::json::array())) {
      out.push_back(a.at("local").get<std::string>() + "/" + std::to_string(a.at("prefixlen").get<int>()));
    }
  }
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& x) { return std::find(list.begin(), list.end(), x) != list.end(); }

int kernel_mtu(CoordLab& lab, const std::string& host, const std::string& dev) {
  return lab.net.ip_json(lab.host(host).ns, "link show dev " + dev).at(0).at("mtu");
}

}  // namespace

TEST_CASE("nic.configure: check lists the differences, a run applies them, a rerun has nothing to do", "[integration][nic]") {
  CoordLab lab;
  lab.add_host("h1", {{.name = "p1", .cabling = "port: 1", .extra = "address: 198.18.1.1/24\n        expect: {mtu: 9000}"},
                      {.name = "p2", .cabling = "port: 2"}});
  lab.add_host("h2", {{.name = "q1", .cabling = "port: 3", .extra = "address: 198.18.1.2/24"}});
  lab.cable("h1", "p1", "h2", "q1");
  lab.net.add_veth(lab.host("h1").ns, "p2", lab.host("h1").ns, "p2peer");
  lab.start_agents();
  StepHarness h(lab.inventory_yaml(), "", lab.dir(), lab.dir() + "/leases");

  // Check mode: the differences, and the kernel untouched.
  auto check = configure(lab, h, json::object(), true);
  INFO(check.message);
  REQUIRE(check.ok);
  CHECK(check.changed);
  CHECK(h.sink.find("h1:p1")->status == "skipped");
  CHECK(h.sink.find("h1:p1")->message == "would set mtu 9000, add 198.18.1.1/24");
  CHECK(h.sink.find("h2:q1")->message == "would set add 198.18.1.2/24");
  CHECK(h.sink.find("h1:p2")->message == "already as wanted");
  CHECK(kernel_mtu(lab, "h1", "p1") == 1500);
  CHECK_FALSE(has(kernel_addresses(lab, "h1", "p1"), "198.18.1.1/24"));

  // The run.
  h.sink.clear();
  auto run = configure(lab, h, json::object());
  INFO(run.message);
  REQUIRE(run.ok);
  CHECK(run.changed);
  CHECK(h.sink.find("h1:p1")->status == "ok");
  CHECK(h.sink.find("h1:p1")->data.at("applied") == json::array({"mtu 9000", "add 198.18.1.1/24"}));
  CHECK(kernel_mtu(lab, "h1", "p1") == 9000);
  CHECK_THAT(kernel_addresses(lab, "h1", "p1"), Catch::Matchers::VectorContains(std::string("198.18.1.1/24")));
  CHECK_THAT(kernel_addresses(lab, "h2", "q1"), Catch::Matchers::VectorContains(std::string("198.18.1.2/24")));

  // Again: nothing differs.
  h.sink.clear();
  auto again = configure(lab, h, json::object());
  REQUIRE(again.ok);
  CHECK_FALSE(again.changed);
  REQUIRE(h.sink.items().size() == 3);  // every port judged again
  for (const auto& it : h.sink.items()) CHECK(it.message == "already as wanted");

  // Explicit arguments on chosen ports: admin down, another MTU.
  h.sink.clear();
  auto down = configure(lab, h, {{"ports", {"h1:p2"}}, {"admin", "down"}, {"mtu", 2000}});
  REQUIRE(down.ok);
  REQUIRE(h.sink.items().size() == 1);
  CHECK(h.sink.find("h1:p2")->data.at("applied") == json::array({"mtu 2000", "admin down"}));
  CHECK(kernel_mtu(lab, "h1", "p2") == 2000);
  const auto flags = lab.net.ip_json(lab.host("h1").ns, "link show dev p2").at(0).at("flags");
  CHECK(std::find(flags.begin(), flags.end(), "UP") == flags.end());
}

TEST_CASE("nic.configure: a dead agent's ports are unreachable, the other hosts are configured", "[integration][nic]") {
  CoordLab lab;
  lab.add_host("h1", {{.name = "p1", .cabling = "port: 1"}});
  lab.add_host("h2", {{.name = "q1", .cabling = "port: 2"}});
  lab.cable("h1", "p1", "h2", "q1");
  lab.start_agents();
  REQUIRE(::kill(lab.host("h2").agent->pid(), SIGKILL) == 0);
  ::waitpid(lab.host("h2").agent->pid(), nullptr, 0);
  StepHarness h(lab.inventory_yaml(), "", lab.dir(), lab.dir() + "/leases");
  auto r = configure(lab, h, {{"mtu", 3000}});
  INFO(r.message);
  REQUIRE(r.ok);
  CHECK(h.sink.find("h1:p1")->status == "ok");
  CHECK(kernel_mtu(lab, "h1", "p1") == 3000);
  const auto* dead = h.sink.find("h2:q1");
  REQUIRE(dead != nullptr);
  CHECK(dead->status == "unreachable");
  CHECK(dead->message.rfind("h2: ", 0) == 0);

  NicConfigureModule module;
  CHECK(h.validate(module, {{"ports", {"h1:nope"}}}).error().field == "ports[0]");
  CHECK(h.validate(module, {{"ports", {"h9"}}}).error().field == "ports[0]");
  CHECK(h.validate(module, {{"ports", "all"}, {"mtu", 40}}).error().field == "mtu");
  CHECK(h.validate(module, {{"admin", "sideways"}}).error().field == "admin");
  CHECK(h.validate(module, {{"addresses", "maybe"}}).error().field == "addresses");
  CHECK(h.validate(module, {{"ports", {"h1", "h2:q1"}}, {"mtu", 9000}, {"admin", "up"}}));
}
