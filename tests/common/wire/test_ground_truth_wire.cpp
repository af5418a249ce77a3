// The ground truth's wire types (common/wire/ground_truth.hpp): what the emulator writes reads
// back as the same records, and a reply that is not the type is refused naming the field.
// (Here rather than tests/common/wire/, which another branch creates at the same time.)
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/wire/ground_truth.hpp"

using namespace mixnet;
using namespace mixnet::wire;
using nlohmann::json;

namespace {

ChangesPage sample_changes() {
  ChangeRecord connect{.id = 7, .batch = 3, .kind = "connect", .from = 1, .to = 17, .bidirectional = false,
                       .source = "tl1#2", .command = "ENT-PATCH ctag=9"};
  connect.received_ns = 1'795'936'000'000'000'000;
  connect.switching_ns = 15'000'000;
  connect.started_ns = connect.received_ns + 1000;
  connect.settled_ns = connect.started_ns + connect.switching_ns;
  connect.replied_ns = connect.settled_ns + 5000;
  connect.light = {{17, connect.settled_ns + 10}, {1, connect.settled_ns + 20}};
  ChangeRecord dark = connect;
  dark.id = 8;
  dark.kind = "light-off";
  dark.bidirectional = true;
  dark.replied_ns = 0;
  dark.light.clear();
  dark.plane_error = "tc: no such device";
  return ChangesPage{{connect, dark}, 8};
}

PlaneEventsPage sample_events() {
  return PlaneEventsPage{{{4, "h1:ocs0", PlaneEventKind::light_on, 1'000, 7, std::nullopt},
                          {5, "h1:ocs0", PlaneEventKind::link_up, 2'000, 7, 41.5},
                          {6, "h2:ocs0", PlaneEventKind::link_down, 3'000, 0, std::nullopt}},
                         6};
}

}  // namespace

TEST_CASE("ground truth wire: change records and plane events round-trip") {
  const auto changes = sample_changes();
  const json cj = changes;
  CHECK(cj["changes"][0]["light"][1] == json{{"port", 1}, {"ns", changes.changes[0].settled_ns + 20}});
  CHECK_FALSE(cj["changes"][0].contains("plane_error"));   // written only when there is one
  CHECK(cj["changes"][1]["plane_error"] == "tc: no such device");
  auto back = parse_changes_page(json::parse(cj.dump()));
  REQUIRE(back);
  CHECK(*back == changes);

  const auto events = sample_events();
  const json ej = events;
  CHECK(ej["events"][1]["kind"] == "link_up");
  CHECK_FALSE(ej["events"][0].contains("training_ms"));
  auto events_back = parse_plane_events_page(json::parse(ej.dump()));
  REQUIRE(events_back);
  CHECK(*events_back == events);

  auto mark = parse_plane_mark(json{{"last_seq", 12}, {"netns", "mxl-lab-ocs"}, {"ends", json::array()}});
  REQUIRE(mark);
  CHECK(mark->last_seq == 12);
}

TEST_CASE("ground truth wire: keys we do not know are ignored, an empty page is a page") {
  json j = sample_changes();
  j["changes"][0]["added_later"] = true;
  j["generation"] = 2;
  CHECK(parse_changes_page(j).has_value());
  auto empty = parse_plane_events_page(json{{"events", json::array()}, {"next_after", 9}});
  REQUIRE(empty);
  CHECK(empty->events.empty());
  CHECK(empty->next_after == 9);
}

TEST_CASE("ground truth wire: a reply that is not the type names the field") {
  auto refused = [](const Result<ChangesPage>& r) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::protocol);
    return r.error().field;
  };
  json j = sample_changes();
  j["changes"][1].erase("received_ns");
  CHECK(refused(parse_changes_page(j)) == "changes[1].received_ns");
  j = sample_changes();
  j["changes"][0]["id"] = -1;
  CHECK(refused(parse_changes_page(j)) == "changes[0].id");
  j = sample_changes();
  j["changes"][0]["from"] = 1LL << 40;
  CHECK(refused(parse_changes_page(j)) == "changes[0].from");
  j = sample_changes();
  j["changes"][0]["light"][1]["ns"] = "later";
  CHECK(refused(parse_changes_page(j)) == "changes[0].light[1].ns");
  j = sample_changes();
  j["changes"][0]["bidirectional"] = 1;
  CHECK(refused(parse_changes_page(j)) == "changes[0].bidirectional");
  j = sample_changes();
  j["changes"][1] = "not an object";
  CHECK(refused(parse_changes_page(j)) == "changes[1]");
  j = sample_changes();
  j.erase("last_id");
  CHECK(refused(parse_changes_page(j)) == "last_id");
  CHECK(refused(parse_changes_page(json::array())) == "body");

  json e = sample_events();
  e["events"][2]["time_ns"] = "soon";
  auto bad_time = parse_plane_events_page(e);
  REQUIRE_FALSE(bad_time);
  CHECK(bad_time.error().field == "events[2].time_ns");
  e = sample_events();
  e["events"][0]["kind"] = "link_sideways";
  auto bad_kind = parse_plane_events_page(e);
  REQUIRE_FALSE(bad_kind);
  CHECK(bad_kind.error().field == "events[0].kind");
  CHECK_THAT(bad_kind.error().message, Catch::Contains("link_sideways"));
  e = sample_events();
  e["events"][1]["training_ms"] = "slow";
  auto bad_training = parse_plane_events_page(e);
  REQUIRE_FALSE(bad_training);
  CHECK(bad_training.error().field == "events[1].training_ms");
  e = sample_events();
  e["events"] = json::object();
  auto not_list = parse_plane_events_page(e);
  REQUIRE_FALSE(not_list);
  CHECK(not_list.error().field == "events");

  auto no_mark = parse_plane_mark(json{{"netns", "x"}});
  REQUIRE_FALSE(no_mark);
  CHECK(no_mark.error().field == "last_seq");
}
