// The emulator's listeners toward the management network (issue 17): a flood of silent
// connections does not lock out a client that logs in (TL1) or authenticates (RESTCONF), one
// address holds a bounded number of sessions, and a session that does not log in is closed soon.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "tests/support/idle_sockets.hpp"
#include "tests/tools/ocs-emu/emu_fixture.hpp"

using namespace mixnet;
using namespace mixnet::testing;
using namespace std::chrono_literals;

TEST_CASE("1000 silent TL1 connections do not lock out a client that logs in", "[ocs-emu][tl1][edges]") {
  auto emu = start_emu(emu_options());
  IdleSockets flood("127.0.0.1", emu->tl1_port(), 1000);
  Tl1Client client(emu->tl1_port(), 5s);  // a generous bound for a loaded machine
  client.login();
  CHECK(client.command("RTRV-PATCH:::7:;").completion == ocs::tl1::Completion::compld);
  // One address holds at most 16 sessions of a listener (64 in all): the rest were closed.
  CHECK(flood.closed_by_peer() >= 1000 - 16);
}

TEST_CASE("1000 silent RESTCONF connections do not lock out a client", "[ocs-emu][restconf][edges]") {
  auto emu = start_emu(emu_options());
  IdleSockets flood("127.0.0.1", emu->rest_port(), 1000);
  CHECK(rest(*emu, "GET", kCross).status == 200);
  CHECK(flood.closed_by_peer() >= 1000 - 64);
}

TEST_CASE("a TL1 session that does not log in is closed at the login deadline", "[ocs-emu][tl1][edges]") {
  auto o = emu_options();
  o.login_timeout = 300ms;
  o.session_idle_timeout = 10min;
  auto emu = start_emu(o);
  Tl1Client silent(emu->tl1_port(), 30s);  // 300 ms against 10 minutes: 30 s is a bound, not a timing
  CHECK(silent.closed_by_peer());

  Tl1Client logged_in(emu->tl1_port(), 5s);
  logged_in.login();
  std::this_thread::sleep_for(1500ms);  // five login deadlines
  CHECK(logged_in.command("RTRV-PATCH:::8:;").completion == ocs::tl1::Completion::compld);
}
