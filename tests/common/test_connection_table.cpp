// The connection table behind every listener's caps (common/connection_table.hpp): whom it closes
// for a newcomer, and when it refuses one.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/connection_table.hpp"

using namespace mixnet;
using Phase = ConnectionTable::Phase;

namespace {

// Admits a connection whose close is recorded in `closed` under `name`.
ConnectionTable::Id admit_named(ConnectionTable& t, const std::string& source, const std::string& name,
                                std::vector<std::string>& closed) {
  auto id = t.admit(source, [&closed, name] { closed.push_back(name); });
  REQUIRE(id);
  return *id;
}

}  // namespace

TEST_CASE("connection table: at the cap the oldest unproven connection is closed first", "[connection_table]") {
  ConnectionTable t({.max_connections = 3, .max_per_source = 10});
  std::vector<std::string> closed;
  const auto a = admit_named(t, "10.0.0.1", "a", closed);
  const auto b = admit_named(t, "10.0.0.2", "b", closed);
  admit_named(t, "10.0.0.3", "c", closed);
  t.set_phase(a, Phase::idle);  // a authenticated: it goes after every unproven one
  admit_named(t, "10.0.0.4", "d", closed);
  CHECK(closed == std::vector<std::string>{"b"});
  CHECK(t.size() == 3);
  CHECK(t.count_from("10.0.0.2") == 0);
  CHECK(t.evicted() == 1);
  t.remove(b);  // the closed connection's own code gives its slot back later: a no-op now
  CHECK(t.size() == 3);
}

TEST_CASE("connection table: idle connections go when no unproven one is left, oldest idle first", "[connection_table]") {
  ConnectionTable t({.max_connections = 2, .max_per_source = 10});
  std::vector<std::string> closed;
  const auto a = admit_named(t, "s", "a", closed);
  const auto b = admit_named(t, "s", "b", closed);
  t.set_phase(b, Phase::idle);
  t.set_phase(a, Phase::idle);  // a has been idle for less time than b
  admit_named(t, "s", "c", closed);
  CHECK(closed == std::vector<std::string>{"b"});
}

TEST_CASE("connection table: busy connections are never closed, a newcomer is refused instead", "[connection_table]") {
  ConnectionTable t({.max_connections = 2, .max_per_source = 10});
  std::vector<std::string> closed;
  t.set_phase(admit_named(t, "s", "a", closed), Phase::busy);
  t.set_phase(admit_named(t, "s", "b", closed), Phase::busy);
  CHECK_FALSE(t.admit("s", [&] { closed.push_back("c"); }));
  CHECK(closed.empty());
  CHECK(t.refused() == 1);
  CHECK(t.size() == 2);
}

TEST_CASE("connection table: the per-source cap closes that source's own connections only", "[connection_table]") {
  ConnectionTable t({.max_connections = 100, .max_per_source = 2});
  std::vector<std::string> closed;
  admit_named(t, "other", "o", closed);  // the oldest of all, from another address
  admit_named(t, "flood", "f1", closed);
  admit_named(t, "flood", "f2", closed);
  admit_named(t, "flood", "f3", closed);
  CHECK(closed == std::vector<std::string>{"f1"});
  CHECK(t.count_from("flood") == 2);
  CHECK(t.count_from("other") == 1);

  SECTION("a source whose connections are all busy is refused, others still come in") {
    ConnectionTable busy({.max_connections = 100, .max_per_source = 1});
    std::vector<std::string> none;
    busy.set_phase(admit_named(busy, "x", "x1", none), Phase::busy);
    CHECK_FALSE(busy.admit("x", [] {}));
    CHECK(busy.admit("y", [] {}).has_value());
    CHECK(none.empty());
  }
}
