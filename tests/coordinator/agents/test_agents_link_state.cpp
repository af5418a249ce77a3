// The per-agent port table: snapshots from the inventory, changes from the journal.
#include <catch2/catch.hpp>

#include "coordinator/agents/agent_errors.hpp"
#include "coordinator/agents/link_state.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

wire::LinkEvent event(std::uint64_t seq, const std::string& kind, const std::string& port, bool carrier, bool admin = true) {
  wire::LinkEvent e;
  e.seq = seq;
  e.time_ns = 1000 + static_cast<std::int64_t>(seq);
  e.kind = kind;
  e.port = port;
  e.carrier = carrier;
  e.admin_up = admin;
  e.oper_state = carrier ? "up" : "down";
  return e;
}

}  // namespace

TEST_CASE("link table: a snapshot, then events in order, with link-up and link-down times", "[unit][agents]") {
  LinkStateTable t;
  wire::Inventory inv;
  wire::PortInfo p;
  p.name = "ocs0";
  p.admin_up = true;
  p.carrier = false;
  p.oper_state = "down";
  inv.ports.push_back(p);
  t.apply(inv);
  REQUIRE(t.find("ocs0") != nullptr);
  CHECK_FALSE(t.find("ocs0")->up());
  CHECK(t.find("ocs0")->link_up_ns == 0);
  CHECK(t.find("eth9") == nullptr);

  t.apply(event(1, "link_up", "ocs0", true));
  t.apply(event(2, "oper_state", "ocs0", true));
  CHECK(t.find("ocs0")->up());
  CHECK(t.find("ocs0")->link_up_ns == 1001);

  // A page read twice (after a retry) changes nothing.
  t.apply(event(1, "link_down", "ocs0", false));
  CHECK(t.find("ocs0")->up());

  t.apply(event(3, "link_down", "ocs0", false));
  CHECK_FALSE(t.find("ocs0")->up());
  CHECK(t.find("ocs0")->link_down_ns == 1003);
  CHECK(t.find("ocs0")->link_up_ns == 1001);

  // Admin down: carrier may still be reported, but the port is not up.
  t.apply(event(4, "admin_down", "ocs0", true, false));
  CHECK_FALSE(t.find("ocs0")->up());

  // RDMA events carry no netdev state; a removed port is down.
  t.apply(event(5, "link_up", "ocs0", true));
  auto rdma = event(6, "rdma_port_err", "ocs0", false, false);
  t.apply(rdma);
  CHECK(t.find("ocs0")->up());
  t.apply(event(7, "removed", "ocs0", false));
  CHECK_FALSE(t.find("ocs0")->up());
  CHECK(t.find("ocs0")->removed);

  // A restarted agent: sequence numbers begin again and old times are forgotten.
  t.forget_events();
  CHECK(t.find("ocs0")->link_up_ns == 0);
  t.apply(event(1, "link_up", "ocs0", true));
  CHECK(t.find("ocs0")->up());
  CHECK(t.find("ocs0")->link_up_ns == 1001);
}

TEST_CASE("agent replies: transport failures, API errors and JSON become Results naming the host", "[unit][agents]") {
  // Transport failure: the host is prefixed, the code kept.
  HttpOutcome refused = std::unexpected(Error{Errc::unavailable, "GET http://x/v1/health: Connection refused", {}});
  auto r1 = interpret_agent_reply("h2", "GET /v1/health", refused);
  REQUIRE_FALSE(r1);
  CHECK(r1.error().code == Errc::unavailable);
  CHECK(r1.error().message.rfind("h2: ", 0) == 0);

  // An API error names the field and keeps the agent's code.
  HttpResponse bad;
  bad.status = 400;
  bad.body = R"({"error":{"code":"invalid_argument","message":"must be 68..65535, got 70000","field":"mtu"}})";
  auto r2 = interpret_agent_reply("h1", "POST /v1/ports/ocs0/config", bad);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().code == Errc::invalid_argument);
  CHECK(r2.error().field == "mtu");
  CHECK(r2.error().message == "h1: POST /v1/ports/ocs0/config: HTTP 400 invalid_argument: mtu: must be 68..65535, got 70000");

  HttpResponse missing;
  missing.status = 404;
  missing.body = R"({"error":{"code":"not_found","message":"no managed port named 'eth0'","field":"name"}})";
  auto r3 = interpret_agent_reply("h1", "GET /v1/ports/eth0", missing);
  REQUIRE_FALSE(r3);
  CHECK(r3.error().code == Errc::not_found);

  // A degraded health reply (503, no error object) says so.
  HttpResponse degraded;
  degraded.status = 503;
  degraded.body = R"({"status":"degraded","host_id":"h1","version":"0.1.0"})";
  auto r4 = interpret_agent_reply("h1", "GET /v1/health", degraded);
  REQUIRE_FALSE(r4);
  CHECK(r4.error().code == Errc::unavailable);
  CHECK(r4.error().message.find("status degraded") != std::string::npos);

  HttpResponse denied;
  denied.status = 401;
  denied.body = R"({"error":{"code":"unauthorized","message":"missing or wrong bearer token"}})";
  auto r5 = interpret_agent_reply("h1", "GET /v1/inventory", denied);
  REQUIRE_FALSE(r5);
  CHECK(r5.error().code == Errc::unauthorized);

  // 2xx must be JSON.
  HttpResponse garbled;
  garbled.status = 200;
  garbled.body = "<html>";
  auto r6 = interpret_agent_reply("h1", "GET /v1/clock", garbled);
  REQUIRE_FALSE(r6);
  CHECK(r6.error().code == Errc::protocol);

  HttpResponse fine;
  fine.status = 200;
  fine.body = R"({"realtime_ns": 5})";
  auto r7 = interpret_agent_reply("h1", "GET /v1/clock", fine);
  REQUIRE(r7);
  CHECK((*r7)["realtime_ns"] == 5);
}
