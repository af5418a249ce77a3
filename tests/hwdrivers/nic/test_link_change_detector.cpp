#include <catch2/catch.hpp>

#include "hwdrivers/nic/link_monitor.hpp"

using namespace mixnet::nic;

namespace {

LinkState state(int ifindex, bool admin, bool carrier, std::string oper, std::int64_t t = 0) {
  LinkState s;
  s.ifindex = ifindex;
  s.name = "eth" + std::to_string(ifindex);
  s.admin_up = admin;
  s.carrier = carrier;
  s.oper_state = std::move(oper);
  s.read_time_ns = t;
  return s;
}

std::vector<LinkEventKind> kinds(const std::vector<LinkChange>& changes) {
  std::vector<LinkEventKind> out;
  for (const auto& c : changes) out.push_back(c.kind);
  return out;
}

using K = LinkEventKind;

}  // namespace

TEST_CASE("detector: seeded state produces no event, repeats produce none", "[detector]") {
  LinkChangeDetector d;
  d.seed(state(2, true, true, "up"));
  CHECK(d.update(state(2, true, true, "up")).empty());
  CHECK(d.update(state(2, true, true, "up", 99)).empty());
}

TEST_CASE("detector: far end goes down then up (carrier and oper_state)", "[detector]") {
  LinkChangeDetector d;
  d.seed(state(2, true, true, "up"));
  auto down = d.update(state(2, true, false, "lowerlayerdown", 10));
  REQUIRE(kinds(down) == std::vector{K::link_down, K::oper_state});
  CHECK(down[0].state.read_time_ns == 10);
  CHECK(down[1].previous_oper == "up");
  CHECK(down[1].state.oper_state == "lowerlayerdown");
  CHECK(d.update(state(2, true, false, "lowerlayerdown")).empty());

  // The kernel often reports carrier first and the oper_state a moment later (linkwatch).
  REQUIRE(kinds(d.update(state(2, true, true, "lowerlayerdown"))) == std::vector{K::link_up});
  auto oper = d.update(state(2, true, true, "up"));
  REQUIRE(kinds(oper) == std::vector{K::oper_state});
  CHECK(oper[0].previous_oper == "lowerlayerdown");
}

TEST_CASE("detector: admin down reports the cause before its effects", "[detector]") {
  LinkChangeDetector d;
  d.seed(state(3, true, true, "up"));
  CHECK(kinds(d.update(state(3, false, false, "down"))) == std::vector{K::admin_down, K::link_down, K::oper_state});
  CHECK(kinds(d.update(state(3, true, false, "down"))) == std::vector{K::admin_up});
}

TEST_CASE("detector: added and removed links", "[detector]") {
  LinkChangeDetector d;
  auto added = d.update(state(7, false, false, "down"));
  REQUIRE(kinds(added) == std::vector{K::added});
  CHECK(added[0].state.ifindex == 7);
  CHECK(d.update(state(7, false, false, "down")).empty());

  LinkState gone = state(7, false, false, "down");
  gone.removed = true;
  CHECK(kinds(d.update(gone)) == std::vector{K::removed});
  CHECK(d.update(gone).empty());  // a repeated deletion is not news

  // The same ifindex coming back is a new link.
  CHECK(kinds(d.update(state(7, true, true, "up"))) == std::vector{K::added});
}

TEST_CASE("detector: links are tracked independently, and renames are not events", "[detector]") {
  LinkChangeDetector d;
  d.seed(state(2, true, true, "up"));
  d.seed(state(3, true, true, "up"));
  CHECK(kinds(d.update(state(3, true, false, "lowerlayerdown"))) == std::vector{K::link_down, K::oper_state});
  CHECK(d.update(state(2, true, true, "up")).empty());
  LinkState renamed = state(2, true, true, "up");
  renamed.name = "data0";
  CHECK(d.update(renamed).empty());
  // Seeding again overrides what was known, without events.
  d.seed(state(3, true, true, "up"));
  CHECK(d.update(state(3, true, true, "up")).empty());
}

// Each kind's name is the one the agent's API and journal use.
TEST_CASE("detector: event names", "[detector]") {
  CHECK(std::string(to_string(K::link_up)) == "link_up");
  CHECK(std::string(to_string(K::link_down)) == "link_down");
  CHECK(std::string(to_string(K::admin_up)) == "admin_up");
  CHECK(std::string(to_string(K::admin_down)) == "admin_down");
  CHECK(std::string(to_string(K::oper_state)) == "oper_state");
  CHECK(std::string(to_string(K::added)) == "added");
  CHECK(std::string(to_string(K::removed)) == "removed");
}

TEST_CASE("detector: known() is what the detector knows of a link now", "[nic][detector]") {
  LinkChangeDetector d;
  CHECK_FALSE(d.known(2).has_value());

  d.seed(state(2, true, true, "up", 111));
  auto k = d.known(2);
  REQUIRE(k.has_value());
  CHECK(k->ifindex == 2);
  CHECK(k->name == "eth2");
  CHECK(k->admin_up);
  CHECK(k->carrier);
  CHECK(k->oper_state == "up");
  CHECK_FALSE(k->removed);
  CHECK(k->read_time_ns == 0);   // not the time of any reading
  CHECK_FALSE(d.known(3).has_value());

  REQUIRE(d.update(state(2, true, false, "lowerlayerdown", 222)).size() == 2);   // link_down, oper_state
  k = d.known(2);
  REQUIRE(k.has_value());
  CHECK(k->admin_up);
  CHECK_FALSE(k->carrier);
  CHECK(k->oper_state == "lowerlayerdown");
  CHECK(k->read_time_ns == 0);

  // A link first heard of through update() is known as well.
  auto rename = state(5, false, false, "down", 333);
  REQUIRE(d.update(rename).size() == 1);   // added
  rename.name = "renamed5";
  CHECK(d.update(rename).empty());         // a rename is kept, not an event
  k = d.known(5);
  REQUIRE(k.has_value());
  CHECK(k->name == "renamed5");
  CHECK_FALSE(k->admin_up);
  CHECK(k->oper_state == "down");
  CHECK(k->read_time_ns == 0);

  // Once removed, it is not known any more.
  auto gone = state(2, false, false, "", 444);
  gone.removed = true;
  REQUIRE(d.update(gone).size() == 1);
  CHECK_FALSE(d.known(2).has_value());
  CHECK(d.known(5).has_value());
  // A seeded removal forgets it too.
  auto gone5 = state(5, false, false, "", 555);
  gone5.removed = true;
  d.seed(gone5);
  CHECK_FALSE(d.known(5).has_value());
}
