// The TL1 session and the Polatis TL1 driver against a scripted server: exact misbehaviour on
// the wire (replies cut into bytes, autonomous messages, stale ctags, silence, garbage, DENY),
// login ordering, deadlines and keep-alive.
#include <catch2/catch.hpp>

#include <thread>

#include "hwdrivers/ocs/driver_util.hpp"
#include "hwdrivers/ocs/polatis_tl1.hpp"
#include "tests/hwdrivers/ocs/fake_tl1_server.hpp"

using namespace mixnet;
using namespace mixnet::ocs;
using mixnet::testing::FakeAction;
using mixnet::testing::FakeTl1Server;
using namespace std::chrono_literals;

namespace {

SwitchUri uri_for(unsigned short port, std::string extra = "") {
  auto u = parse_switch_uri("polatis-tl1://admin:root@127.0.0.1:" + std::to_string(port) + "?keepalive-s=0&timeout-ms=400&connect-timeout-ms=400" + extra);
  REQUIRE(u.has_value());
  return *u;
}

// A well-behaved 16x16 Polatis with 1->17 and 2->18, changing how replies travel.
FakeAction polite(const tl1::Command& c) {
  if (c.verb == "ACT-USER") return {{FakeTl1Server::reply(c.ctag)}};
  if (c.verb == "RTRV-EQPT") return {{FakeTl1Server::reply(c.ctag, {"SYSTEM:SIZE=16x16"})}};
  if (c.verb == "RTRV-PATCH") return {{FakeTl1Server::reply(c.ctag, {"1,17", "2,18"})}};
  if (c.verb == "RTRV-NETYPE") return {{FakeTl1Server::reply(c.ctag, {"POLATIS,N-VST-16x16-FAKE,OPTICAL-SWITCH,9.1"})}};
  return {{FakeTl1Server::reply(c.ctag)}};
}

}  // namespace

TEST_CASE("a reply written one byte at a time is read whole", "[tl1-session]") {
  FakeTl1Server server([](const tl1::Command& c) {
    FakeAction a = polite(c);
    if (c.verb == "RTRV-PATCH") a = FakeAction{FakeTl1Server::bytes(a.chunks.front()), 0ms, 1ms};
    return a;
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto l = sw.list();
  REQUIRE(l.has_value());
  REQUIRE(l->value.size() == 2);
  CHECK(l->value[0] == CrossConnect{"1", "17"});
  CHECK(l->value[1] == CrossConnect{"2", "18"});
  CHECK(l->timing.sent_ns > 0);
  CHECK(l->timing.acked_ns > l->timing.sent_ns);
}

TEST_CASE("autonomous messages and stale ctags around a reply are skipped", "[tl1-session]") {
  FakeTl1Server server([](const tl1::Command& c) {
    FakeAction a = polite(c);
    if (c.verb == "RTRV-PATCH") {
      const std::string alarm = "\r\n\n   FAKE 26-11-29 07:00:00\r\nA  99 REPT ALM PORT\r\n   \"3:MN,LOS\"\r\n;";
      a.chunks.insert(a.chunks.begin(), {alarm, FakeTl1Server::reply("stale", {"9,25"}) + "\r\nIP " + c.ctag + "\r\n<"});
      a.gap = 5ms;
    }
    return a;
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto l = sw.list();
  REQUIRE(l.has_value());
  CHECK(l->value.size() == 2);
}

TEST_CASE("nothing is sent before the login reply arrives", "[tl1-session]") {
  std::atomic<std::int64_t> login_replied_ns{0};
  FakeTl1Server server([&](const tl1::Command& c) {
    FakeAction a = polite(c);
    if (c.verb == "ACT-USER") {
      std::this_thread::sleep_for(150ms);   // a slow login
      login_replied_ns = monotonic_ns();
    }
    return a;
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  REQUIRE(sw.list().has_value());
  const auto seen = server.seen();
  REQUIRE(seen.size() >= 2);
  CHECK(seen[0].cmd.verb == "ACT-USER");
  CHECK(seen[0].cmd.aid == "admin");
  REQUIRE(seen[0].cmd.trailing.size() == 2);
  CHECK(seen[0].cmd.trailing[1] == "root");
  CHECK(seen[1].at_ns >= login_replied_ns.load());
}

TEST_CASE("a refused login is unauthorized and names the code", "[tl1-session]") {
  FakeTl1Server server([](const tl1::Command& c) {
    if (c.verb == "ACT-USER") return FakeAction{{FakeTl1Server::deny(c.ctag, "PIUI", "invalid user or password")}};
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto l = sw.list();
  REQUIRE_FALSE(l.has_value());
  CHECK(l.error().code == Errc::unauthorized);
  CHECK(l.error().message.find("PIUI") != std::string::npos);
  CHECK(l.error().message.find("invalid user or password") != std::string::npos);
}

TEST_CASE("DENY comes back as denied with its code and text", "[tl1-session]") {
  FakeTl1Server server([](const tl1::Command& c) {
    if (c.verb == "ENT-PATCH") return FakeAction{{FakeTl1Server::deny(c.ctag, "SROF", "port 1 is in use")}};
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto r = sw.apply(ChangeSet{.connect = {{"1", "18"}}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::denied);
  CHECK(r.error().cause == Cause::unspecified);
  CHECK(r.error().message.find("DENY SROF") != std::string::npos);
  CHECK(r.error().message.find("port 1 is in use") != std::string::npos);
  CHECK(r.error().message.find("ENT-PATCH::1,18") != std::string::npos);
  // A DENY is an answer, not a lost session: one session, no reconnect.
  CHECK(server.connections() == 1);
}

TEST_CASE("a silent switch runs into the deadline, and the read is tried once more on a new session", "[tl1-session]") {
  FakeTl1Server server([](const tl1::Command& c) {
    if (c.verb == "RTRV-PATCH") return FakeAction{};   // never answers
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  const auto t0 = std::chrono::steady_clock::now();
  auto l = sw.list();
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(l.has_value());
  CHECK(l.error().code == Errc::timeout);
  CHECK(took >= 800ms);   // two tries of 400 ms
  CHECK(took < 3s);
  CHECK(server.connections() == 2);
}

TEST_CASE("a garbled reply is a protocol error and the next call starts a clean session", "[tl1-session]") {
  std::atomic<int> patches{0};
  FakeTl1Server server([&](const tl1::Command& c) {
    if (c.verb == "RTRV-PATCH" && patches++ == 0) return FakeAction{{"\r\n\n   FAKE 26-11-29 07:00:00\r\nM  " + c.ctag + " MAYBE\r\n;"}};
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto bad = sw.list();
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == Errc::protocol);
  auto good = sw.list();
  REQUIRE(good.has_value());
  CHECK(good->value.size() == 2);
  CHECK(server.connections() == 2);
}

TEST_CASE("the session closed by the switch is reopened for the next read", "[tl1-session]") {
  std::atomic<int> patches{0};
  FakeTl1Server server([&](const tl1::Command& c) {
    if (c.verb == "RTRV-PATCH" && patches++ == 0) return FakeAction{{}, 0ms, 0ms, true};
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto l = sw.list();
  REQUIRE(l.has_value());
  CHECK(l->value.size() == 2);
  CHECK(sw.sessions_opened() == 2);
  const auto seen = server.seen();
  int logins = 0;
  for (const auto& s : seen) logins += s.cmd.verb == "ACT-USER";
  CHECK(logins == 2);
}

TEST_CASE("an idle session sends keep-alive commands", "[tl1-session]") {
  FakeTl1Server server(polite);
  {
    auto u = parse_switch_uri("polatis-tl1://admin:root@127.0.0.1:" + std::to_string(server.port()) + "?keepalive-s=1");
    REQUIRE(u.has_value());
    PolatisTl1Switch sw(*u);
    REQUIRE(sw.list().has_value());
    std::this_thread::sleep_for(2600ms);
  }
  int keepalives = 0;
  bool logged_out = false;
  for (const auto& s : server.seen()) {
    keepalives += s.cmd.verb == "RTRV-NETYPE";
    logged_out |= s.cmd.verb == "CANC-USER";
  }
  CHECK(keepalives >= 1);
  CHECK(keepalives <= 3);
  CHECK(logged_out);
  CHECK(server.connections() == 1);
}

TEST_CASE("connecting to a closed port fails fast with unavailable", "[tl1-session]") {
  // Bind a port and close it again, so nothing listens there.
  unsigned short port = 0;
  {
    FakeTl1Server s(polite);
    port = s.port();
  }
  PolatisTl1Switch sw(uri_for(port));
  auto l = sw.list();
  REQUIRE_FALSE(l.has_value());
  CHECK(l.error().code == Errc::unavailable);
}

TEST_CASE("a switch that forgot the login (DENY PLNA) gets a new login and the command once more", "[tl1-session]") {
  std::atomic<int> patches{0};
  FakeTl1Server server([&](const tl1::Command& c) {
    if (c.verb == "RTRV-PATCH" && patches++ == 0) return FakeAction{{FakeTl1Server::deny(c.ctag, "PLNA", "Login Not Active")}};
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto l = sw.list();
  REQUIRE(l.has_value());
  CHECK(l->value.size() == 2);
  CHECK(patches == 2);
  int logins = 0;
  for (const auto& s : server.seen()) logins += s.cmd.verb == "ACT-USER";
  CHECK(logins == 2);
}

TEST_CASE("a switch that denies the new login's command with PLNA too: the denial comes back", "[tl1-session]") {
  FakeTl1Server server([](const tl1::Command& c) {
    if (c.verb == "RTRV-PATCH") return FakeAction{{FakeTl1Server::deny(c.ctag, "PLNA", "Login Not Active")}};
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto l = sw.list();
  REQUIRE_FALSE(l.has_value());
  CHECK(l.error().code == Errc::denied);
  CHECK(l.error().cause == Cause::tl1_login_lost);
  CHECK(l.error().message.find("DENY PLNA") != std::string::npos);
  int logins = 0;
  int patches = 0;
  for (const auto& s : server.seen()) {
    logins += s.cmd.verb == "ACT-USER";
    patches += s.cmd.verb == "RTRV-PATCH";
  }
  CHECK(logins == 2);   // one new login, not a loop of them
  CHECK(patches == 2);
}

TEST_CASE("an unknown command's DENY (IICM) is reported, not retried", "[tl1-session]") {
  FakeTl1Server server([](const tl1::Command& c) {
    if (c.verb == "RTRV-PORT-POWER") return FakeAction{{FakeTl1Server::deny(c.ctag, "IICM", "unknown command")}};
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto p = sw.power({"1"});
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().code == Errc::denied);
  CHECK(p.error().message.find("IICM") != std::string::npos);
  int asked = 0;
  for (const auto& s : server.seen()) asked += s.cmd.verb == "RTRV-PORT-POWER";
  CHECK(asked == 1);
}

TEST_CASE("pipelined commands: replies out of order are matched by ctag", "[tl1-session]") {
  // The server holds the first reply back and sends it after the second.
  std::string held;
  FakeTl1Server server([&](const tl1::Command& c) {
    if (c.verb == "ACT-USER") return FakeAction{{FakeTl1Server::reply(c.ctag)}};
    if (held.empty()) {
      held = FakeTl1Server::reply(c.ctag, {"first"});
      return FakeAction{};
    }
    return FakeAction{{FakeTl1Server::reply(c.ctag, {"second"}), held}};
  });
  Tl1SessionOptions o;
  o.host = "127.0.0.1";
  o.port = server.port();
  o.password = "root";
  o.keepalive = std::chrono::seconds(0);
  o.command_timeout = 2000ms;
  Tl1Session session(o);
  std::lock_guard lock(session.mutex());
  auto r = session.execute_many({tl1::Command{.verb = "RTRV-A"}, tl1::Command{.verb = "RTRV-B"}});
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 2);
  REQUIRE((*r)[0].has_value());
  REQUIRE((*r)[1].has_value());
  CHECK((*r)[0]->reply.lines == std::vector<std::string>{"first"});
  CHECK((*r)[1]->reply.lines == std::vector<std::string>{"second"});
}

TEST_CASE("a command whose reply is lost says when it left, an answered one or one never written does not", "[tl1-session]") {
  FakeTl1Server server([](const tl1::Command& c) {
    if (c.verb == "ENT-PATCH") return FakeAction{{}, 0ms, 0ms, true};   // taken, then the session drops
    return polite(c);
  });
  Tl1Session session(tl1_session_options(uri_for(server.port()), "test"));
  std::lock_guard lock(session.mutex());
  auto answered = session.execute(tl1::Command{.verb = "RTRV-PATCH", .trailing = {""}});
  REQUIRE(answered.has_value());
  CHECK(session.unanswered_sent_ns() == 0);

  const auto before = realtime_ns();
  auto lost = session.execute(tl1::Command{.verb = "ENT-PATCH", .aid = "1,17", .trailing = {""}});
  const auto after = realtime_ns();
  REQUIRE_FALSE(lost.has_value());
  CHECK(lost.error().code == Errc::io);
  CHECK(session.unanswered_sent_ns() >= before);
  CHECK(session.unanswered_sent_ns() <= after);

  // Nothing listens any more: the command never leaves, so it has no send time.
  Tl1Session nowhere(tl1_session_options(uri_for(1), "test"));
  std::lock_guard lock2(nowhere.mutex());
  auto refused = nowhere.execute(tl1::Command{.verb = "ENT-PATCH", .aid = "1,17", .trailing = {""}});
  REQUIRE_FALSE(refused.has_value());
  CHECK(nowhere.unanswered_sent_ns() == 0);
}

TEST_CASE("a change whose session drops is timed from its first send to the read-back that found it", "[tl1-session]") {
  // The switch takes the ENT-PATCH, works on it for 40 ms and drops the session without a reply;
  // on the next session RTRV-PATCH shows the patch. The driver must not send it again, and its
  // timing must start at the ENT-PATCH that was lost (so it spans the 40 ms), end at the read-back,
  // and flag the recovery.
  std::atomic<bool> applied{false};
  std::atomic<std::int64_t> ent_seen_ns{0};
  FakeTl1Server server([&](const tl1::Command& c) {
    if (c.verb == "ENT-PATCH") {
      ent_seen_ns = realtime_ns();
      applied = true;
      return FakeAction{{}, 40ms, 0ms, true};
    }
    if (c.verb == "RTRV-PATCH" && applied) return FakeAction{{FakeTl1Server::reply(c.ctag, {"1,17", "2,18", "3,19"})}};
    return polite(c);
  });
  PolatisTl1Switch sw(uri_for(server.port()));
  auto a = sw.apply(ChangeSet{.connect = {{"3", "19", false}}});
  const auto returned_ns = realtime_ns();
  REQUIRE(a.has_value());
  const auto& t = a->timing;
  CHECK(t.sent_ns != 0);
  CHECK(t.sent_ns <= ent_seen_ns.load());
  CHECK(t.acked_ns - t.sent_ns >= 40'000'000);
  CHECK(t.acked_ns <= returned_ns);
  CHECK(t.recoveries == 1);
  CHECK(t.acked_by_read_back);
  CHECK(t.recovery_cause.find("ENT-PATCH") != std::string::npos);
  CHECK(describe_recovery(t).find("after 1 session recovery") == 0);
  int sent = 0;
  for (const auto& s : server.seen()) sent += s.cmd.verb == "ENT-PATCH";
  CHECK(sent == 1);
  CHECK(sw.sessions_opened() == 2);
}

TEST_CASE("a change without a lost session reports no recovery", "[tl1-session]") {
  FakeTl1Server server(polite);
  PolatisTl1Switch sw(uri_for(server.port()));
  auto a = sw.apply(ChangeSet{.connect = {{"3", "19", false}}});
  REQUIRE(a.has_value());
  CHECK(a->timing.sent_ns != 0);
  CHECK(a->timing.acked_ns >= a->timing.sent_ns);
  CHECK_FALSE(a->timing.recovered());
  CHECK_FALSE(a->timing.acked_by_read_back);
  CHECK(a->timing.recovery_cause.empty());
  CHECK(describe_recovery(a->timing).empty());
}
