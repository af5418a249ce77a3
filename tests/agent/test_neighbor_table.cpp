#include <catch2/catch.hpp>

#include "agent/neighbor_table.hpp"

using namespace mixnet::agent;

TEST_CASE("neighbour table records senders and counts", "[agent][probe]") {
  NeighborTable t;
  t.record("h1", "veth0", "02:00:00:00:00:01", 5, 100, 110);
  t.record("h1", "veth0", "02:00:00:00:00:01", 6, 200, 210);
  t.record("h2", "eth3", "02:00:00:00:00:02", 6, 150, 300);
  REQUIRE(t.size() == 2);
  CHECK(t.received() == 3);
  auto all = t.list();
  REQUIRE(all.size() == 2);
  CHECK(all[0].host_id == "h2");  // most recently seen first
  CHECK(all[1].host_id == "h1");
  CHECK(all[1].count == 2);
  CHECK(all[1].last_nonce == 6);
  CHECK(all[1].last_send_time_ns == 200);
  CHECK(all[1].last_receive_time_ns == 210);
  CHECK(all[1].first_seen_ns == 110);

  CHECK(t.list(6).size() == 2);
  CHECK(t.list(5).empty());  // h1's last probe carried 6
  CHECK(t.list(99).empty());

  t.clear();
  CHECK(t.size() == 0);
  CHECK(t.list().empty());
}

TEST_CASE("neighbour table is bounded and evicts the stalest", "[agent][probe]") {
  NeighborTable t(3);
  t.record("a", "p", "m", 1, 0, 10);
  t.record("b", "p", "m", 1, 0, 5);
  t.record("c", "p", "m", 1, 0, 20);
  t.record("d", "p", "m", 1, 0, 30);
  CHECK(t.size() == 3);
  CHECK(t.evicted() == 1);
  for (const auto& n : t.list()) CHECK(n.host_id != "b");
  // Same host and port from a different MAC is a different sender.
  NeighborTable u;
  u.record("a", "p", "m1", 1, 0, 1);
  u.record("a", "p", "m2", 1, 0, 2);
  CHECK(u.size() == 2);
}
