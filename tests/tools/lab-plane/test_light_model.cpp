// The light rules without a kernel: redirects follow light paths; an end is lit only when light
// flows both ways between it and its peer and both emit (no dark transceiver, no NIC admin down).
#include <catch2/catch.hpp>

#include "tools/lab/plane/light_model.hpp"

using namespace mixnet::lab;

TEST_CASE("light model: NxM two-way circuit lights both ends, half-made lights none", "[lab-plane][light]") {
  // End 0: tx 1 rx 9; end 1: tx 2 rx 10; end 2: tx 3 rx 11.
  std::vector<EndPorts> ends{{1, 9}, {2, 10}, {3, 11}};
  LightPaths paths;
  add_path(paths, 1, 10);   // end 0 -> end 1 only
  auto o = evaluate_light(ends, paths);
  CHECK(o.redirect[0] == std::optional<std::size_t>(1));
  CHECK_FALSE(o.redirect[1]);
  CHECK_FALSE(o.lit_with[0]);
  CHECK_FALSE(o.lit_with[1]);

  add_path(paths, 2, 9);    // and back
  o = evaluate_light(ends, paths);
  CHECK(o.lit_with[0] == std::optional<std::size_t>(1));
  CHECK(o.lit_with[1] == std::optional<std::size_t>(0));
  CHECK_FALSE(o.lit_with[2]);

  ends[1].dark = true;
  o = evaluate_light(ends, paths);
  CHECK_FALSE(o.lit_with[0]);
  CHECK_FALSE(o.lit_with[1]);
  CHECK(o.redirect[1] == std::optional<std::size_t>(0));   // mirrors do not care about transceivers

  ends[1].dark = false;
  remove_path(paths, 1, 10);
  o = evaluate_light(ends, paths);
  CHECK_FALSE(o.lit_with[0]);
  CHECK_FALSE(o.redirect[0]);
  CHECK_FALSE(has_path(paths, 1, 10));
}

TEST_CASE("light model: a crossed pair (0->1, 1->2, 2->0) lights nobody", "[lab-plane][light]") {
  std::vector<EndPorts> ends{{1, 9}, {2, 10}, {3, 11}};
  LightPaths paths;
  add_path(paths, 1, 10);
  add_path(paths, 2, 11);
  add_path(paths, 3, 9);
  const auto o = evaluate_light(ends, paths);
  for (std::size_t i = 0; i < 3; ++i) CHECK_FALSE(o.lit_with[i]);
  CHECK(o.redirect[2] == std::optional<std::size_t>(0));
}

// An end that sends and receives on one port lights with the end a two-way path joins; light to no end lights nothing.
TEST_CASE("light model: any-to-any one-port ends", "[lab-plane][light]") {
  std::vector<EndPorts> ends{{2, 2}, {5, 5}, {7, 7}};
  LightPaths paths;
  add_path(paths, 2, 5);
  add_path(paths, 5, 2);
  const auto o = evaluate_light(ends, paths);
  CHECK(o.lit_with[0] == std::optional<std::size_t>(1));
  CHECK(o.lit_with[1] == std::optional<std::size_t>(0));
  CHECK_FALSE(o.lit_with[2]);
  // A path to a port with no end: light goes nowhere.
  LightPaths lonely;
  add_path(lonely, 7, 3);
  CHECK_FALSE(evaluate_light(ends, lonely).redirect[2]);
}

// An end emits unless its transceiver is dark or its NIC port is admin down; a NIC set down
// darkens the end and its peer, and its TX port no longer receives light from its fibre.
TEST_CASE("light model: the emitting rule, and the ports lit from their fibres", "[lab-plane][light]") {
  CHECK(emits(EndPorts{1, 9}));
  CHECK_FALSE(emits(EndPorts{1, 9, /*dark=*/true}));
  CHECK_FALSE(emits(EndPorts{1, 9, false, /*nic_admin_up=*/false}));
  CHECK_FALSE(emits(EndPorts{1, 9, true, false}));

  std::vector<EndPorts> ends{{1, 9}, {2, 10}, {3, 11}};
  LightPaths paths;
  add_path(paths, 1, 10);
  add_path(paths, 2, 9);
  CHECK(fibre_lit_ports(ends) == std::set<int>{1, 2, 3});
  CHECK(evaluate_light(ends, paths).lit_with[1] == std::optional<std::size_t>(0));

  ends[0].nic_admin_up = false;
  auto o = evaluate_light(ends, paths);
  CHECK_FALSE(o.lit_with[0]);
  CHECK_FALSE(o.lit_with[1]);   // its peer loses light
  CHECK(o.redirect[0] == std::optional<std::size_t>(1));   // the mirrors stay as they are
  CHECK(fibre_lit_ports(ends) == std::set<int>{2, 3});
  ends[2].dark = true;
  CHECK(fibre_lit_ports(ends) == std::set<int>{2});

  ends[0].nic_admin_up = true;   // back up: the pair relights
  o = evaluate_light(ends, paths);
  CHECK(o.lit_with[0] == std::optional<std::size_t>(1));
  CHECK(o.lit_with[1] == std::optional<std::size_t>(0));

  // A miswire moves the fibres, and the light with them.
  std::swap(ends[1].tx, ends[2].tx);
  CHECK(fibre_lit_ports(ends) == std::set<int>{1, 3});
}

// in(tx) -> out(rx) of one end sends its light back to itself: it is lit with itself and its
// frames go to its own dev; a NIC set down ends it.
TEST_CASE("light model: a port looped back to itself is lit with itself", "[lab-plane][light]") {
  std::vector<EndPorts> ends{{1, 9}, {2, 10}};
  LightPaths paths;
  add_path(paths, 1, 9);
  auto o = evaluate_light(ends, paths);
  CHECK(o.redirect[0] == std::optional<std::size_t>(0));
  CHECK(o.lit_with[0] == std::optional<std::size_t>(0));
  CHECK_FALSE(o.lit_with[1]);
  ends[0].nic_admin_up = false;
  o = evaluate_light(ends, paths);
  CHECK(o.redirect[0] == std::optional<std::size_t>(0));
  CHECK_FALSE(o.lit_with[0]);
}
