// Without namespaces: the event log, and the /v1/plane routes of an emulator that runs without
// a lab plane (404, the rest of the control API unaffected).
#include <catch2/catch.hpp>

#include "tests/tools/ocs-emu/emu_fixture.hpp"
#include "tools/lab/plane/event_log.hpp"
#include "tools/ocs-emu/control_service.hpp"

using namespace mixnet::testing;

TEST_CASE("event log: sequence numbers, paging, bounded", "[lab-plane][events]") {
  mixnet::lab::EventLog log(3);
  for (int i = 0; i < 5; ++i) log.add({0, "e", mixnet::lab::EndEventKind::link_up, i, 0, std::nullopt});
  CHECK(log.last_seq() == 5);
  const auto all = log.since(0, 100);
  REQUIRE(all.size() == 3);   // the oldest two were dropped
  CHECK(all.front().seq == 3);
  CHECK(log.since(3, 1).front().seq == 4);
  CHECK(log.since(5, 10).empty());
  const nlohmann::json j = all.front();
  CHECK(j["kind"] == "link_up");
  CHECK_FALSE(j.contains("training_ms"));
}

TEST_CASE("control API: /v1/plane is 404 without a lab plane", "[lab-plane][control]") {
  CHECK(mixnet::ocs_emu::is_plane_route("/v1/plane"));
  CHECK(mixnet::ocs_emu::is_plane_route("/v1/plane/events?after=1"));
  CHECK_FALSE(mixnet::ocs_emu::is_plane_route("/v1/planets"));
  CHECK_FALSE(mixnet::ocs_emu::is_plane_route("/v1/state"));
  for (bool recording : {false, true}) {
    auto o = emu_options();
    if (recording) o.plane = std::make_shared<mixnet::ocs_emu::RecordingPlane>();
    auto emu = start_emu(o);
    for (const char* target : {"/v1/plane", "/v1/plane/events", "/v1/plane/faults"}) {
      HttpCall c;
      c.target = target;
      const auto r = http_request("127.0.0.1", emu->control_port(), c);
      CHECK(r.status == 404);
      CHECK(r.json()["error"]["code"] == "not_found");
    }
    HttpCall state;
    state.target = "/v1/state";
    CHECK(http_request("127.0.0.1", emu->control_port(), state).status == 200);
  }
}
