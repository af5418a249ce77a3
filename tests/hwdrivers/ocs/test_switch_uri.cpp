// Switch URIs, the change planner and the reply-line parsers: pure functions, no network.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "hwdrivers/ocs/calient_tl1.hpp"
#include "hwdrivers/ocs/change_plan.hpp"
#include "hwdrivers/ocs/polatis_rest.hpp"
#include "hwdrivers/ocs/polatis_tl1.hpp"
#include "hwdrivers/ocs/switch_uri.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::ocs;

TEST_CASE("switch URIs: schemes, users, passwords, hosts, ports", "[uri]") {
  auto a = parse_switch_uri("polatis-tl1://admin@192.0.2.5:3082");
  REQUIRE(a.has_value());
  CHECK(a->protocol == SwitchProtocol::polatis_tl1);
  CHECK(a->user == "admin");
  CHECK(a->password == "root");
  CHECK(a->host == "192.0.2.5");
  CHECK(a->port == 3082);

  auto b = parse_switch_uri("polatis-rest://ops:s%40cret%3A1@sw1.lab");
  REQUIRE(b.has_value());
  CHECK(b->protocol == SwitchProtocol::polatis_rest);
  CHECK(b->user == "ops");
  CHECK(b->password == "s@cret:1");
  CHECK(b->host == "sw1.lab");
  CHECK(b->port == 8008);
  CHECK(b->describe() == "polatis-rest://ops@sw1.lab:8008");   // no password in messages

  auto c = parse_switch_uri("calient-tl1://[2001:db8::6]:4000/?timeout-ms=250&connect-timeout-ms=100&keepalive-s=0&group=LAB");
  REQUIRE(c.has_value());
  CHECK(c->protocol == SwitchProtocol::calient_tl1);
  CHECK(c->host == "2001:db8::6");
  CHECK(c->port == 4000);
  CHECK(c->timeout.count() == 250);
  CHECK(c->connect_timeout.count() == 100);
  CHECK(c->keepalive.count() == 0);
  CHECK(c->group == "LAB");
  CHECK(c->describe() == "calient-tl1://admin@[2001:db8::6]:4000");

  auto d = parse_switch_uri("calient-tl1://10.0.0.1");
  REQUIRE(d.has_value());
  CHECK(d->port == 3083);
  CHECK(d->user == "admin");
}

TEST_CASE("switch URIs: a password file beside the URI", "[uri]") {
  char path[] = "/tmp/mixnet-pw-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  {
    std::ofstream(path) << "from-file\r\nsecond line ignored\n";
  }
  auto a = parse_switch_uri(std::string("polatis-tl1://admin@h:1?password-file=") + path);
  REQUIRE(a.has_value());
  CHECK(a->password == "from-file");

  auto both = parse_switch_uri(std::string("polatis-tl1://admin:x@h:1?password-file=") + path);
  REQUIRE_FALSE(both.has_value());
  CHECK(both.error().field == "password-file");

  {
    std::ofstream(path, std::ios::trunc) << "";
  }
  auto empty = parse_switch_uri(std::string("polatis-tl1://admin@h?password-file=") + path);
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().field == "password-file");
  std::remove(path);

  auto missing = parse_switch_uri("polatis-tl1://admin@h?password-file=/nonexistent/pw");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().field == "password-file");
  CHECK(missing.error().message.find("/nonexistent/pw") != std::string::npos);
}

TEST_CASE("switch URIs: errors name the bad part", "[uri]") {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"192.0.2.5:3082", "scheme"},
      {"http://admin@192.0.2.5", "scheme"},
      {"polatis-tl1://admin@", "host"},
      {"polatis-tl1://", "host"},
      {"polatis-tl1://admin@h:0", "port"},
      {"polatis-tl1://admin@h:65536", "port"},
      {"polatis-tl1://admin@h:30x", "port"},
      {"polatis-tl1://admin@h:", "port"},
      {"polatis-tl1://@h", "user"},
      {"polatis-tl1://admin:@h", "password"},
      {"polatis-tl1://ad%zzmin@h", "user"},
      {"polatis-tl1://admin@h/path", "host"},
      {"polatis-tl1://admin@[::1", "host"},
      {"polatis-tl1://admin@h$x", "host"},
      {"polatis-tl1://admin@h?timeout-ms=0", "timeout-ms"},
      {"polatis-tl1://admin@h?timeout-ms=abc", "timeout-ms"},
      {"polatis-tl1://admin@h?keepalive-s=-1", "keepalive-s"},
      {"polatis-tl1://admin@h?colour=blue", "colour"},
      {"polatis-tl1://admin@h?timeout-ms", "timeout-ms"},
      {"calient-tl1://admin@h?group=a,b", "group"},
  };
  for (const auto& [uri, field] : bad) {
    INFO(uri);
    auto r = parse_switch_uri(uri);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == field);
  }
}

TEST_CASE("open_switch refuses a bad URI without touching the network", "[uri]") {
  auto r = open_switch("polatis-tl1://admin@h:99999");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().field == "port");
}

TEST_CASE("change planning: what is still missing after a lost session", "[plan]") {
  const std::vector<CrossConnect> current = {{"1", "17"}, {"2", "18"}, {"3", "19"}};
  ChangeSet move{.connect = {{"1", "18"}, {"2", "17"}}, .disconnect = {"1", "2"}};
  SECTION("nothing done yet: everything remains") {
    const auto r = remaining(move, current, false);
    CHECK(r.disconnect == std::vector<PortId>{"1", "2"});
    CHECK(r.connect.size() == 2);
  }
  SECTION("disconnects done") {
    const auto r = remaining(move, {{"3", "19"}}, false);
    CHECK(r.disconnect.empty());
    CHECK(r.connect.size() == 2);
  }
  SECTION("one connect done") {
    const auto r = remaining(move, {{"1", "18"}, {"3", "19"}}, false);
    CHECK(r.disconnect.empty());
    REQUIRE(r.connect.size() == 1);
    CHECK(r.connect[0] == CrossConnect{"2", "17"});
  }
  SECTION("all done") {
    const auto r = remaining(move, {{"1", "18"}, {"2", "17"}, {"3", "19"}}, false);
    CHECK(r.disconnect.empty());
    CHECK(r.connect.empty());
  }
  SECTION("either way on any-to-any switches") {
    ChangeSet cc{.connect = {{"1", "5"}}};
    CHECK(remaining(cc, {{"5", "1", true}}, true).connect.empty());
    CHECK(remaining(cc, {{"5", "1", false}}, false).connect.size() == 1);
  }
  SECTION("validation") {
    CHECK_FALSE(validate(ChangeSet{}).has_value());
    CHECK_FALSE(validate(ChangeSet{.connect = {{"1", "1"}}}).has_value());
    CHECK_FALSE(validate(ChangeSet{.connect = {{"1", "17"}, {"1", "18"}}}).has_value());
    CHECK_FALSE(validate(ChangeSet{.connect = {{"", "17"}}}).has_value());
    CHECK_FALSE(validate(ChangeSet{.disconnect = {""}}).has_value());
    CHECK(validate(move).has_value());
  }
}

// Polatis size, patch, power and shutter lines parse into typed values; malformed ones are refused.
TEST_CASE("Polatis reply lines", "[parse]") {
  CHECK(*parse_polatis_size("SYSTEM:SIZE=16x16") == std::pair{16, 16});
  CHECK(*parse_polatis_size("SYSTEM:SIZE=24xCC") == std::pair{24, 0});
  CHECK(*parse_polatis_size("48x96") == std::pair{48, 96});
  CHECK_FALSE(parse_polatis_size("SYSTEM:SIZE=big").has_value());
  CHECK_FALSE(parse_polatis_size("SYSTEM:SIZE=0x0").has_value());
  CHECK(*parse_polatis_patch("11,28") == CrossConnect{"11", "28"});
  CHECK_FALSE(parse_polatis_patch("11-28").has_value());
  CHECK_FALSE(parse_polatis_patch("a,28").has_value());
  auto p = parse_polatis_power("9:-3.20");
  REQUIRE(p.has_value());
  CHECK(p->port == "9");
  CHECK(p->dbm == Approx(-3.2));
  CHECK_FALSE(parse_polatis_power("9:high").has_value());
  CHECK(parse_polatis_shutter("5:CLOSED")->second == PortStatus::disabled);
  CHECK(parse_polatis_shutter("5:OPEN")->second == PortStatus::enabled);
  CHECK(parse_polatis_shutter("5:FAILED")->second == PortStatus::failed);
  CHECK_FALSE(parse_polatis_shutter("5:WOBBLY").has_value());
}

TEST_CASE("RESTCONF bodies: pair and the older pairs, errors with their message", "[parse]") {
  auto j = nlohmann::json::parse(R"({"optical-switch:cross-connects":{"pair":[{"ingress":1,"egress":13}]}})");
  auto l = parse_rest_cross_connects(j);
  REQUIRE(l.has_value());
  REQUIRE(l->size() == 1);
  CHECK((*l)[0] == CrossConnect{"1", "13"});
  auto old = parse_rest_cross_connects(nlohmann::json::parse(R"({"optical-switch:cross-connects":{"pairs":[{"ingress":"2","egress":"14"}]}})"));
  REQUIRE(old.has_value());
  CHECK((*old)[0] == CrossConnect{"2", "14"});
  CHECK(parse_rest_cross_connects(nlohmann::json::parse(R"({"optical-switch:cross-connects":{}})"))->empty());
  CHECK_FALSE(parse_rest_cross_connects(nlohmann::json::parse(R"({"other":{}})")).has_value());
  CHECK_FALSE(parse_rest_cross_connects(nlohmann::json::parse(R"({"cross-connects":{"pair":[{"ingress":1}]}})")).has_value());

  const std::string body =
      R"({"ietf-restconf:errors":{"error":[{"error-type":"application","error-tag":"in-use","error-message":"port 3 is in use"}]}})";
  const Error e = rest_error(409, body, "POST cross-connects");
  CHECK(e.code == Errc::conflict);
  CHECK(e.cause == Cause::http_status);   // the switch answered: not a transport failure
  CHECK(e.message.find("in-use") != std::string::npos);
  CHECK(e.message.find("port 3 is in use") != std::string::npos);
  CHECK(rest_error(404, body, "x").code == Errc::not_found);
  CHECK(rest_error(400, body, "x").code == Errc::denied);
  CHECK(rest_error(401, "", "x").code == Errc::unauthorized);
  CHECK(rest_error(503, "oops", "x").code == Errc::unavailable);
}

TEST_CASE("Calient reply lines: RTRV-CRS and RTRV-PORT-SUM", "[parse]") {
  auto c = parse_calient_crs(
      "2.3.6-3.2.5:SRCPORT=2.3.6,DSTPORT=3.2.5,GRPNAME=G1,CONNNAME=2.3.6-3.2.5,CONNTYPE=2WAY,AS=UMA,OS=RDY,OC=OK,PS=UPR,AL=CL");
  REQUIRE(c.has_value());
  CHECK(c->src == "2.3.6");
  CHECK(c->dst == "3.2.5");
  CHECK(c->group == "G1");
  CHECK(c->name == "2.3.6-3.2.5");
  CHECK(c->two_way);
  CHECK(c->active);
  auto entered = parse_calient_crs("1.1.1>1.3.1:SRCPORT=1.1.1,DSTPORT=1.3.1,GRPNAME=SYSTEM,CONNNAME=1.1.1>1.3.1,CONNTYPE=1WAY,OS=NRDY,PS=DPR");
  REQUIRE(entered.has_value());
  CHECK_FALSE(entered->two_way);
  CHECK_FALSE(entered->active);
  auto by_name = parse_calient_crs("1.1.2-1.1.3:GRPNAME=G2");   // ports only in the name
  REQUIRE(by_name.has_value());
  CHECK(by_name->src == "1.1.2");
  CHECK(by_name->dst == "1.1.3");
  CHECK_FALSE(parse_calient_crs("no colon here").has_value());
  CHECK_FALSE(parse_calient_crs("x:SRCPORT=1.1,DSTPORT=1.1.2").has_value());

  auto s = parse_calient_port_sum("1.1.1:ALIAS=NONE,INPWR=-3.1,OUTPWR=-2.9,CONNNAME=NONE,STATUS=ENABLED");
  REQUIRE(s.has_value());
  CHECK(s->port == "1.1.1");
  CHECK(*s->in_dbm == Approx(-3.1));
  CHECK(*s->out_dbm == Approx(-2.9));
  CHECK(s->status == "ENABLED");
  CHECK_FALSE(parse_calient_port_sum("1.1.1:INPWR=bright").has_value());
  CHECK_FALSE(parse_calient_port_sum("17:INPWR=-1").has_value());

  CHECK(check_calient_port("1.1.1").has_value());
  CHECK(check_calient_port("12.8.8").has_value());
  for (const std::string& bad : std::vector<std::string>{"1", "1.1", "1..1", ".1.1", "1.1.1.", "a.b.c", "1.1.1.1", ""}) {
    INFO(bad);
    auto r = check_calient_port(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "port");
  }
}

TEST_CASE("switch URIs: a password file group or others may read is refused, naming file and mode", "[uri]") {
  const mixnet::testing::ScratchDir dir("mixnet-pw");
  const std::string path = dir.path + "/pw";
  std::ofstream(path) << "secret\n";
  ::chmod(path.c_str(), 0644);
  auto open_file = parse_switch_uri("polatis-rest://admin@h?password-file=" + path);
  REQUIRE_FALSE(open_file.has_value());
  CHECK(open_file.error().code == mixnet::Errc::insecure_file);
  CHECK(open_file.error().field == "password-file");
  CHECK(open_file.error().message == path + ": mode 0644 lets group/others read it; chmod 600");
}

TEST_CASE("switch URIs: ca-file makes RESTCONF HTTPS, TL1 has none", "[uri][tls]") {
  auto rest = parse_switch_uri("polatis-rest://admin@h?ca-file=/etc/lab/ca.crt");
  REQUIRE(rest.has_value());
  CHECK(rest->ca_file == "/etc/lab/ca.crt");
  CHECK(parse_switch_uri("polatis-rest://admin@h")->ca_file.empty());
  for (const char* tl1 : {"polatis-tl1://admin@h?ca-file=/ca.crt", "calient-tl1://admin@h?ca-file=/ca.crt"}) {
    auto r = parse_switch_uri(tl1);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().field == "ca-file");
  }
  auto empty = parse_switch_uri("polatis-rest://admin@h?ca-file=");
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().field == "ca-file");
}
