// links.verify on hand-built namespaces whose veth pairs are the cables: ok (with a link that
// comes up while the step waits), miswired (cables swapped), dark (far end down), one-sided (the
// probe gets through one way only), and a killed agent that fails only its own links.
#include <catch2/catch.hpp>
#include <csignal>
#include <set>
#include <sys/wait.h>
#include <thread>

#include "common/clock.hpp"
#include "coordinator/modules/links_verify.hpp"
#include "tests/coordinator/support/coord_lab.hpp"
#include "tests/coordinator/support/step_harness.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// h1:p1 p2 p3, h2:q1 q2, h3:r1; the topology wants p1-q1, p2-q2, p3-r1.
void add_hosts(CoordLab& lab) {
  lab.add_host("h1", {{.name = "p1", .cabling = "port: 1"}, {.name = "p2", .cabling = "port: 2"}, {.name = "p3", .cabling = "port: 3"}});
  lab.add_host("h2", {{.name = "q1", .cabling = "port: 4"}, {.name = "q2", .cabling = "port: 5"}});
  lab.add_host("h3", {{.name = "r1", .cabling = "port: 6"}});
}

// The cables as the topology wants them.
void cable_as_intended(CoordLab& lab) {
  lab.cable("h1", "p1", "h2", "q1");
  lab.cable("h1", "p2", "h2", "q2");
  lab.cable("h1", "p3", "h3", "r1");
}

const char* kTopology = R"(name: T
circuits:
  - h1:p1 - h2:q1
  - h1:p2 - h2:q2
  - h1:p3 - h3:r1
)";

StepResult verify(CoordLab& lab, StepHarness& h, const json& args) {
  LinksVerifyModule module;
  return lab.net.run_in(lab.coord_ns, [&] { return h.run(module, args); });
}

const ItemResult& item(const StepHarness& h, const std::string& id) {
  const ItemResult* it = h.sink.find(id);
  if (it == nullptr) FAIL("no item " << id);
  return *it;
}

}  // namespace

TEST_CASE("links.verify: every port ok, one link coming up while the step waits", "[integration][links]") {
  CoordLab lab;
  add_hosts(lab);
  cable_as_intended(lab);
  lab.ip("h2", "link set dev q2 down");   // p2's far end is dark until the step runs
  lab.start_agents();
  StepHarness h(lab.inventory_yaml(), kTopology, lab.dir(), lab.dir() + "/leases");

  std::int64_t up_from_ns = 0;   // CLOCK_REALTIME just before q2 is set up
  std::thread bring_up([&] {
    std::this_thread::sleep_for(300ms);
    up_from_ns = realtime_ns();
    lab.ip("h2", "link set dev q2 up");
  });
  const auto r = verify(lab, h, {{"topology", "T"}, {"deadline", 20}});
  bring_up.join();
  INFO(r.message);
  REQUIRE(r.ok);
  REQUIRE(h.sink.items().size() == 6);
  for (const auto& it : h.sink.items()) {
    INFO(it.id << ": " << it.message);
    CHECK(it.status == "ok");
    CHECK(it.kind == "port");
    CHECK(it.data.at("probe_out").at("heard") == true);
    CHECK(it.data.at("probe_in").at("heard") == true);
    CHECK(it.data.at("probe_out").at("far_receive_ns").get<std::int64_t>() > 0);
    // The keys reports and stored results hold (the verifier's verdict is typed; these are made
    // only at the module's edge).
    std::set<std::string> keys, probe_keys;
    for (const auto& [k, v] : it.data.items()) keys.insert(k);
    for (const auto& [k, v] : it.data.at("probe_out").items()) probe_keys.insert(k);
    std::set<std::string> want{"carrier", "admin", "oper_state", "link_up_ns", "clock_offset_ns", "expected_peer", "probe_out", "probe_in"};
    if (!it.data.at("link_up_ns").is_null()) want.insert("link_up_coord_ns");   // a link_up seen since the journal's start
    CHECK(keys == want);
    // Confirmed by probes, or by the agents' own hellos (the link that came up during the step
    // may be either, as the hellos and the coordinator's reads race): no probe sent then.
    const bool by_hello = it.data.at("probe_out").at("by") == "hello";
    std::set<std::string> want_probe{"heard", "by", "rounds", "nonce", "far_receive_ns", "confirmed_ns"};
    if (!by_hello) want_probe.insert("probe_sent_ns");
    CHECK(probe_keys == want_probe);
  }
  CHECK(item(h, "h1:p1").data.at("expected_peer") == "h2:q1");
  CHECK(item(h, "h3:r1").data.at("expected_peer") == "h1:p3");
  // The link that came up during the step has its link-up time from the agents' journals.
  CHECK(item(h, "h2:q2").data.at("link_up_ns").get<std::int64_t>() >= up_from_ns);
  CHECK(item(h, "h1:p2").data.at("link_up_ns").get<std::int64_t>() >= up_from_ns);
  CHECK(r.data.at("counts").at("ok") == 6);
  CHECK(r.data.at("all_verified_ns").get<std::int64_t>() >= up_from_ns);
  CHECK(r.data.contains("control_overhead_ns"));
}

TEST_CASE("links.verify: links whose ends heard each other's hellos are confirmed without a probe", "[integration][links]") {
  CoordLab lab;
  add_hosts(lab);
  cable_as_intended(lab);
  lab.start_agents();
  // A re-patch of every link, as the OCS makes one: each end's agent sends hellos as its carrier
  // comes back and journals the far end it hears.
  for (const auto& [host, port] : {std::pair{"h2", "q1"}, std::pair{"h2", "q2"}, std::pair{"h3", "r1"}}) lab.ip(host, std::string("link set dev ") + port + " down");
  std::this_thread::sleep_for(100ms);
  for (const auto& [host, port] : {std::pair{"h2", "q1"}, std::pair{"h2", "q2"}, std::pair{"h3", "r1"}}) lab.ip(host, std::string("link set dev ") + port + " up");
  // Bounded: every port has journaled its neighbour before the step starts.
  auto heard_all = [&] {
    for (const char* host : {"h1", "h2", "h3"}) {
      const auto body = lab.host(host).agent->get("/v1/events?after=0").json();
      std::set<std::string> heard;
      for (const auto& ev : body.at("events")) {
        if (ev.at("kind") == "neighbor") heard.insert(ev.at("port").get<std::string>());
      }
      if (heard.size() != lab.host(host).ports.size()) return false;
    }
    return true;
  };
  bool ready = false;
  for (int i = 0; i < 250 && !ready; ++i) {
    ready = heard_all();
    if (!ready) std::this_thread::sleep_for(20ms);
  }
  REQUIRE(ready);
  // The hellos' last repeat leaves 20 ms after each carrier-up: let them all go before counting.
  std::this_thread::sleep_for(200ms);
  auto probes_sent = [&](const char* host) {
    const std::string m = lab.host(host).agent->get("/metrics").body;
    std::uint64_t total = 0;
    for (std::size_t at = m.find("mixnet_agent_probes_sent_total{"); at != std::string::npos; at = m.find("mixnet_agent_probes_sent_total{", at + 1)) {
      total += std::stoull(m.substr(m.find("} ", at) + 2));
    }
    return total;
  };
  const std::uint64_t sent_before = probes_sent("h1") + probes_sent("h2") + probes_sent("h3");

  StepHarness h(lab.inventory_yaml(), kTopology, lab.dir(), lab.dir() + "/leases");
  const auto r = verify(lab, h, {{"topology", "T"}, {"deadline", 20}});
  INFO(r.message);
  REQUIRE(r.ok);
  REQUIRE(h.sink.items().size() == 6);
  for (const auto& it : h.sink.items()) {
    INFO(it.id << ": " << it.message);
    CHECK(it.status == "ok");
    CHECK(it.message.find("heard the other's hello") != std::string::npos);
    CHECK(it.data.at("probe_out").at("rounds") == 0);
    CHECK(it.data.at("probe_out").at("by") == "hello");
    CHECK(it.data.at("probe_in").at("heard") == true);
    CHECK(it.data.at("probe_in").at("far_receive_ns").get<std::int64_t>() > 0);
  }
  // Not one probe frame was sent for the step.
  CHECK(probes_sent("h1") + probes_sent("h2") + probes_sent("h3") == sent_before);
}

TEST_CASE("links.verify: swapped cables are miswired, naming the real and the expected peer", "[integration][links]") {
  CoordLab lab;
  add_hosts(lab);
  lab.cable("h1", "p1", "h2", "q2");   // swapped
  lab.cable("h1", "p2", "h2", "q1");
  lab.cable("h1", "p3", "h3", "r1");
  lab.start_agents();
  StepHarness h(lab.inventory_yaml(), kTopology, lab.dir(), lab.dir() + "/leases");
  const auto r = verify(lab, h, {{"topology", "T"}, {"deadline", 20}});
  INFO(r.message);
  REQUIRE(h.sink.items().size() == 6);
  struct Want {
    const char* id;
    const char* actual;
    const char* expected;
  };
  for (const Want& w : {Want{"h1:p1", "h2:q2", "h2:q1"}, Want{"h1:p2", "h2:q1", "h2:q2"}, Want{"h2:q1", "h1:p2", "h1:p1"},
                        Want{"h2:q2", "h1:p1", "h1:p2"}}) {
    const auto& it = item(h, w.id);
    INFO(it.id << ": " << it.message);
    CHECK(it.status == "miswired");
    CHECK(it.data.at("actual_peer") == w.actual);
    CHECK(it.data.at("expected_peer") == w.expected);
    CHECK(it.message.find(std::string("cabled to ") + w.actual + ", expected " + w.expected) == 0);
  }
  CHECK(item(h, "h1:p3").status == "ok");
  CHECK(item(h, "h3:r1").status == "ok");
  CHECK(r.data.at("counts").at("miswired") == 4);
}

TEST_CASE("links.verify: a far end that stays down is dark, a probe dropped one way is one-sided", "[integration][links]") {
  CoordLab lab;
  add_hosts(lab);
  cable_as_intended(lab);
  lab.ip("h2", "link set dev q1 down");
  // Everything that arrives on p2 is redirected (tc mirred, at ingress, before the probe socket
  // sees it) into a veth that leads nowhere: carrier both ways, probes get through p2 -> q2 only.
  // (This kernel has no gact "drop" action, so mirred it is.)
  lab.net.add_veth(lab.host("h1").ns, "sink0", lab.host("h1").ns, "sink1");
  const std::string h1 = lab.host("h1").ns;
  run_command("tc -n " + h1 + " qdisc add dev p2 handle ffff: ingress");
  run_command("tc -n " + h1 + " filter add dev p2 parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev sink0");
  lab.start_agents();
  StepHarness h(lab.inventory_yaml(), kTopology, lab.dir(), lab.dir() + "/leases");
  const auto r = verify(lab, h, {{"topology", "T"}, {"deadline", 3}, {"probe_rounds", 2}});
  INFO(r.message);
  REQUIRE(h.sink.items().size() == 6);

  for (const char* id : {"h1:p1", "h2:q1"}) {
    const auto& it = item(h, id);
    INFO(it.id << ": " << it.message);
    CHECK(it.status == "dark");
    CHECK(it.message.find("no carrier at either end") != std::string::npos);
    CHECK(it.message.find("h2:q1 is administratively down") != std::string::npos);
  }
  for (const char* id : {"h1:p2", "h2:q2"}) {
    const auto& it = item(h, id);
    INFO(it.id << ": " << it.message);
    CHECK(it.status == "one-sided");
    CHECK(it.message.find("h2:q2 hears h1:p2, but h1:p2 does not hear h2:q2") != std::string::npos);
  }
  CHECK(item(h, "h1:p2").data.at("probe_out").at("heard") == true);
  CHECK(item(h, "h1:p2").data.at("probe_in").at("heard") == false);
  CHECK(item(h, "h1:p3").status == "ok");
  CHECK(item(h, "h3:r1").status == "ok");
}

TEST_CASE("links.verify: a killed agent makes its links unreachable, counted against its host only", "[integration][links]") {
  CoordLab lab;
  add_hosts(lab);
  cable_as_intended(lab);
  lab.start_agents();
  REQUIRE(::kill(lab.host("h2").agent->pid(), SIGKILL) == 0);
  ::waitpid(lab.host("h2").agent->pid(), nullptr, 0);
  StepHarness h(lab.inventory_yaml(), kTopology, lab.dir(), lab.dir() + "/leases");
  const auto r = verify(lab, h, {{"topology", "T"}, {"deadline", 10}});
  INFO(r.message);
  REQUIRE(r.ok);   // the step itself ran; its items carry the failures
  REQUIRE(h.sink.items().size() == 6);
  for (const char* id : {"h1:p1", "h1:p2", "h2:q1", "h2:q2"}) {
    const auto& it = item(h, id);
    INFO(it.id << ": " << it.message);
    CHECK(it.status == "unreachable");
    CHECK(it.hosts == std::vector<std::string>{"h2"});
  }
  CHECK(item(h, "h1:p1").message.find("the far end's agent (h2) did not answer") != std::string::npos);
  CHECK(item(h, "h1:p3").status == "ok");
  CHECK(item(h, "h3:r1").status == "ok");
}

TEST_CASE("links.verify defaults to the topology ocs.apply applied, and validates its arguments", "[integration][links]") {
  CoordLab lab;
  add_hosts(lab);
  StepHarness h(lab.inventory_yaml(), kTopology, lab.dir(), lab.dir() + "/leases");
  LinksVerifyModule module;
  CHECK(h.validate(module, {{"topology", "T"}, {"deadline", 5}}));
  CHECK(h.validate(module, json::object()));
  CHECK(h.validate(module, {{"topology", "X"}}).error().field == "topology");
  CHECK(h.validate(module, {{"deadline", 0}}).error().field == "deadline");
  CHECK(h.validate(module, {{"deadline", "soon"}}).error().field == "deadline");
  CHECK(h.validate(module, {{"probe_count", 17}}).error().field == "probe_count");
  CHECK(h.validate(module, {{"ports", "all"}}).error().field == "ports");
  // Without a topology and before any ocs.apply: the step says what is missing.
  const auto r = h.run(module, json::object());
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("no topology given and none applied") != std::string::npos);
}
