// The agent pool against real agents in namespaces, reached over management links from a
// coordinator namespace: parallel batches, a real link event by long-poll, and a killed agent that
// fails its own host's entries and nothing else.
#include <catch2/catch.hpp>
#include <csignal>
#include <sys/wait.h>
#include <thread>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"
#include "tests/coordinator/support/coord_lab.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using namespace std::chrono_literals;

TEST_CASE("agent pool: real agents in parallel, a killed agent fails only its host", "[integration][agents]") {
  CoordLab lab;
  int switch_port = 0;
  for (const char* name : {"h1", "h2", "h3"}) {
    lab.add_host(name, {LabPort{.name = "d0", .cabling = "port: " + std::to_string(++switch_port)},
                        LabPort{.name = "d1", .cabling = "port: " + std::to_string(++switch_port)}});
  }
  // Each host's two ports are cabled to each other (a loop), so carrier follows their admin state.
  for (const char* name : {"h1", "h2", "h3"}) lab.net.add_veth(lab.host(name).ns, "d0", lab.host(name).ns, "d1");
  lab.start_agents();
  auto inv = parse_inventory(lab.inventory_yaml(), "inventory.yaml", lab.dir());
  INFO((inv ? std::string() : inv.error().describe()));
  REQUIRE(inv);
  AgentPoolOptions options;
  options.request_timeout = 2000ms;
  options.connect_timeout = 500ms;
  options.backoff = 20ms;
  auto made = make_agent_pool(*inv, options);
  REQUIRE(made);
  AgentPool& pool = **made;
  const std::vector<std::string> hosts{"h1", "h2", "h3"};

  struct Before {
    std::vector<AgentReply<wire::Health>> health;
    std::vector<AgentReply<wire::Inventory>> inventory;
    std::vector<AgentReply<std::uint64_t>> journal;
    std::vector<AgentReply<wire::ConfigureResult>> configured;
    std::vector<AgentReply<measure::ClockSample>> clocks;
  };
  const Before before = lab.net.run_in(lab.coord_ns, [&] {
    Before b;
    b.health = pool.health(hosts);
    b.inventory = pool.inventory(hosts);
    b.journal = pool.catch_up_events(hosts, monotonic_ns() + 5'000'000'000);
    wire::ConfigureRequest mtu;
    mtu.mtu = 4000;
    b.configured = pool.configure({{"h1", "d0", mtu}, {"h3", "d1", mtu}});
    b.clocks = pool.clock(hosts);
    return b;
  });
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    INFO(hosts[i]);
    REQUIRE(before.health[i].ok());
    CHECK(before.health[i].value->host_id == hosts[i] + "-agent");
    REQUIRE(before.inventory[i].ok());
    CHECK(before.inventory[i].value->ports.size() == 2);
    CHECK(before.journal[i].ok());
    REQUIRE(before.clocks[i].ok());
  }
  REQUIRE(before.configured[0].ok());
  CHECK(before.configured[0].value->port.mtu == 4000);
  REQUIRE(before.configured[1].ok());
  // The kernel's word for it.
  CHECK(lab.net.ip_json(lab.host("h1").ns, "link show dev d0").at(0).at("mtu") == 4000);
  CHECK(lab.net.ip_json(lab.host("h3").ns, "link show dev d1").at(0).at("mtu") == 4000);
  CHECK(pool.host_for_agent_id("h2-agent") == "h2");

  // A real link event, waited for by long-poll: d1 down on h1 takes d0's carrier away.
  std::thread flip([&] {
    std::this_thread::sleep_for(100ms);
    lab.ip("h1", "link set dev d1 down");
  });
  bool saw_down = false;
  lab.net.run_in(lab.coord_ns, [&] {
    pool.watch_events("h1", 5000ms, [&](const EventsDelivery& d) {
      if (d.page) {
        for (const auto& e : d.page->events) {
          if (e.port == "d0" && e.kind == "link_down") saw_down = true;
        }
      }
      return !saw_down;
    });
    pool.run(monotonic_ns() + 10'000'000'000, [&] { return saw_down; });
    pool.unwatch_all();
  });
  flip.join();
  CHECK(saw_down);
  REQUIRE(pool.link_table("h1")->find("d0") != nullptr);
  CHECK_FALSE(pool.link_table("h1")->find("d0")->carrier);
  CHECK(pool.link_table("h1")->find("d0")->link_down_ns > 0);

  // Kill h2's agent outright: its entries fail, h1's and h3's do not.
  REQUIRE(::kill(lab.host("h2").agent->pid(), SIGKILL) == 0);
  ::waitpid(lab.host("h2").agent->pid(), nullptr, 0);
  struct After {
    std::vector<AgentReply<wire::Health>> health;
    std::vector<AgentReply<wire::Inventory>> inventory;
    std::vector<AgentReply<wire::ProbeResult>> probes;
  };
  const After after = lab.net.run_in(lab.coord_ns, [&] {
    After a;
    a.health = pool.health(hosts);
    a.inventory = pool.inventory(hosts);
    a.probes = pool.probe({{"h1", {.ports = {"d1"}, .count = 1, .nonce = 99}},
                           {"h2", {.ports = {"d0"}, .count = 1, .nonce = 99}},
                           {"h3", {.ports = {"d0"}, .count = 1, .nonce = 99}}});
    return a;
  });
  CHECK(after.health[0].ok());
  CHECK(after.health[2].ok());
  CHECK(after.inventory[0].ok());
  CHECK(after.inventory[2].ok());
  REQUIRE_FALSE(after.health[1].ok());
  REQUIRE_FALSE(after.inventory[1].ok());
  CHECK(after.inventory[1].value.error().message.rfind("h2: ", 0) == 0);
  CHECK(after.inventory[1].value.error().code == Errc::unavailable);
  REQUIRE_FALSE(after.probes[1].ok());
  REQUIRE(after.probes[2].ok());
  CHECK(after.probes[2].value->ports.at(0).sent == 1);
  // h1's d1 is admin down: the agent says so per port, still 200.
  REQUIRE(after.probes[0].ok());
  CHECK_FALSE(after.probes[0].value->ports.at(0).error.empty());
}
