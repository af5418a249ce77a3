// Polatis and Calient TL1 against a running emulator over loopback sockets, with the TL1 codec as
// the client's parser.
#include <set>
#include <thread>

#include "tests/tools/ocs-emu/emu_fixture.hpp"

using namespace mixnet::ocs_emu;
using mixnet::ocs::tl1::Completion;
using mixnet::testing::Tl1Client;

namespace {

std::vector<std::string> lines(const mixnet::ocs::tl1::Reply& r) { return r.lines; }

}  // namespace

TEST_CASE("tl1: login gates every command but RTRV-HDR", "[ocs-emu][tl1]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  Tl1Client c(emu->tl1_port());

  auto r = c.command("RTRV-PATCH:::7:;");
  CHECK(r.ctag == "7");
  CHECK(r.completion == Completion::deny);
  CHECK(r.error_code == "PLNA");
  CHECK(c.command("RTRV-HDR:::8;").completion == Completion::compld);

  r = c.command("ACT-USER::admin:9::wrong;");
  CHECK(r.completion == Completion::deny);
  CHECK(r.error_code == "PIUI");
  r = c.command("ACT-USER::admin:10::root;");
  CHECK(r.completion == Completion::compld);
  CHECK(r.tid == "OCS-EMU");
  CHECK(c.command("RTRV-PATCH:::11:;").completion == Completion::compld);

  CHECK(c.command("CANC-USER::admin:12:;").completion == Completion::compld);
  CHECK(c.command("RTRV-PATCH:::13:;").error_code == "PLNA");
  // A quoted password (the drivers quote anything that is not a plain identifier).
  CHECK(c.command("ACT-USER::\"admin\":14::\"root\";").completion == Completion::compld);
}

TEST_CASE("tl1: connect, list, disconnect with lists, ranges and ALL", "[ocs-emu][tl1]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  Tl1Client c(emu->tl1_port());
  c.login();

  auto r = c.command("ENT-PATCH::1&2&5,17&18&21:1:;");
  REQUIRE(r.completion == Completion::compld);
  r = c.command("ENT-PATCH::10&&12,30&&32:2:;");
  REQUIRE(r.completion == Completion::compld);
  CHECK(lines(c.command("RTRV-PATCH:::3:;")) ==
        std::vector<std::string>{"1,17", "2,18", "5,21", "10,30", "11,31", "12,32"});
  CHECK(lines(c.command("RTRV-PATCH::5&31:4:;")) == std::vector<std::string>{"5,21", "11,31"});
  CHECK(emu->connections().size() == 6);

  // Both ends of one connection in one DLT-PATCH: the second is a no-op.
  REQUIRE(c.command("DLT-PATCH::1&17:5:;").completion == Completion::compld);
  REQUIRE(c.command("DLT-PATCH::31&&32:6:;").completion == Completion::compld);
  CHECK(lines(c.command("RTRV-PATCH:::7:;")) == std::vector<std::string>{"2,18", "5,21", "10,30"});
  REQUIRE(c.command("DLT-PATCH::ALL:8:;").completion == Completion::compld);
  CHECK(c.command("RTRV-PATCH:::9:;").lines.empty());
  CHECK(emu->connections().empty());
}

TEST_CASE("tl1: every DENY path carries its code and leaves the state alone", "[ocs-emu][tl1]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  Tl1Client c(emu->tl1_port());
  c.login();
  REQUIRE(c.command("ENT-PATCH::1,17:1:;").completion == Completion::compld);

  struct Case {
    std::string command;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"FROB-PATCH::1,17:2:;", "IICM"},           // unknown command
      {"ENT-PATCH::1,33:3:;", "IIAC"},            // port out of range
      {"ENT-PATCH::0,17:4:;", "IIAC"},            // port 0 does not exist
      {"ENT-PATCH::17,2:5:;", "IIAC"},            // an output as ingress
      {"ENT-PATCH::2,17:6:;", "SROF"},            // egress already in use
      {"ENT-PATCH::1,18:7:;", "SROF"},            // ingress already in use
      {"ENT-PATCH::2&3,18:8:;", "IDNV"},          // uneven lists
      {"ENT-PATCH::2,x:9:;", "IDNV"},             // not a port
      {"DLT-PATCH::99:10:;", "IIAC"},
      {"RTRV-PORT-POWER::40:11:;", "IIAC"},
      {"RTRV-EQPT::SYSTEM:12:::PARAMETER=COLOUR;", "IDNV"},
  };
  for (const auto& k : cases) {
    INFO(k.command);
    const auto r = c.command(k.command);
    CHECK(r.completion == Completion::deny);
    CHECK(r.error_code == k.code);
    CHECK_FALSE(r.error_text.empty());
  }
  CHECK(emu->connections() == std::vector<Connection>{{1, 17, false}});
  // A failed port denies; its status says FAILED.
  REQUIRE(emu->set_port_failed(3, true));
  auto r = c.command("ENT-PATCH::3,19:13:;");
  CHECK(r.error_code == "SROF");
  CHECK(lines(c.command("RTRV-PORT-SHUTTER::3:14:;")) == std::vector<std::string>{"3:FAILED"});
  CHECK(emu->counters().tl1_denied >= cases.size() + 1);
}

// Size and identity as configured; a patch lights both ends; a closed shutter darkens the far end until released.
TEST_CASE("tl1: size, identity, shutters and power", "[ocs-emu][tl1]") {
  auto o = mixnet::testing::emu_options();
  o.input_power_dbm = 0.0;
  o.loss_noise_db = 0.0;
  auto emu = mixnet::testing::start_emu(o);
  Tl1Client c(emu->tl1_port());
  c.login();
  CHECK(lines(c.command("RTRV-EQPT::SYSTEM:1:::PARAMETER=SIZE;")) == std::vector<std::string>{"SYSTEM:SIZE=16x16"});
  CHECK(lines(c.command("RTRV-NETYPE:::2:;")) ==
        std::vector<std::string>{"POLATIS,N-VST-16x16-EMU,OPTICAL-SWITCH,mixnet-ocs-emu-0.1"});

  REQUIRE(c.command("ENT-PATCH::4,20:3:;").completion == Completion::compld);
  CHECK(lines(c.command("RTRV-PORT-POWER::4&5&20:4:;")) == std::vector<std::string>{"4:0.00", "5:-60.00", "20:-1.50"});
  CHECK(c.command("RTRV-PORT-POWER:::5:;").lines.size() == 32);

  REQUIRE(c.command("OPR-PORT-SHUTTER::4:6:;").completion == Completion::compld);
  CHECK(lines(c.command("RTRV-PORT-SHUTTER::4&5:7:;")) == std::vector<std::string>{"4:CLOSED", "5:OPEN"});
  CHECK(lines(c.command("RTRV-PORT-POWER::20:8:;")) == std::vector<std::string>{"20:-60.00"});
  CHECK(emu->port(4)->status == PortStatus::disabled);
  REQUIRE(c.command("RLS-PORT-SHUTTER::4:9:;").completion == Completion::compld);
  CHECK(lines(c.command("RTRV-PORT-POWER::20:10:;")) == std::vector<std::string>{"20:-1.50"});
}

TEST_CASE("tl1: commands split across writes and several in one write", "[ocs-emu][tl1]") {
  auto emu = mixnet::testing::start_emu(mixnet::testing::emu_options());
  Tl1Client c(emu->tl1_port());
  const std::string login = "ACT-USER::admin:1::root;";
  for (char ch : login) c.send(std::string(1, ch));
  CHECK(c.read_reply().completion == Completion::compld);
  c.send("ENT-PATCH::1,17:2:;\r\nRTRV-PATCH:::3:;\r\n");
  auto a = c.read_reply();
  auto b = c.read_reply();
  CHECK(a.ctag == "2");
  CHECK(b.ctag == "3");
  CHECK(b.lines == std::vector<std::string>{"1,17"});
}

TEST_CASE("tl1: an endless command drops the session", "[ocs-emu][tl1]") {
  auto o = mixnet::testing::emu_options();
  o.max_command_bytes = 1024;
  auto emu = mixnet::testing::start_emu(o);
  Tl1Client c(emu->tl1_port());
  c.send(std::string(4096, 'A'));
  CHECK(c.closed_by_peer());
}

// Any port patches to any port, two-way, listed and deleted from either end; busy and out-of-range ports are denied.
TEST_CASE("tl1: any-to-any (NxCC) switch", "[ocs-emu][tl1][cc]") {
  auto o = mixnet::testing::emu_options();
  o.mode = SwitchMode::any_to_any;
  o.inputs = 24;
  auto emu = mixnet::testing::start_emu(o);
  Tl1Client c(emu->tl1_port());
  c.login();
  CHECK(lines(c.command("RTRV-EQPT::SYSTEM:1:::PARAMETER=SIZE;")) == std::vector<std::string>{"SYSTEM:SIZE=24xCC"});
  REQUIRE(c.command("ENT-PATCH::3&7,9&2:2:;").completion == Completion::compld);   // any port to any port
  CHECK(lines(c.command("RTRV-PATCH:::3:;")) == std::vector<std::string>{"3,9", "7,2"});
  CHECK(c.command("ENT-PATCH::9,4:4:;").error_code == "SROF");
  CHECK(c.command("ENT-PATCH::4,25:5:;").error_code == "IIAC");
  CHECK(emu->connections()[0].bidirectional);
  REQUIRE(c.command("DLT-PATCH::9:6:;").completion == Completion::compld);   // by its far end
  CHECK(lines(c.command("RTRV-PATCH:::7:;")) == std::vector<std::string>{"7,2"});
}

TEST_CASE("calient tl1: enter, activate, list, cancel, delete", "[ocs-emu][calient]") {
  auto o = mixnet::testing::emu_options();
  o.mode = SwitchMode::any_to_any;
  o.inputs = 32;
  o.loss_noise_db = 0.0;
  auto emu = mixnet::testing::start_emu(o);
  REQUIRE(emu->calient_port() != 0);
  Tl1Client c(emu->calient_port());
  CHECK(c.command("RTRV-CRS:::1::ALL;").error_code == "PLNA");
  c.login();

  REQUIRE(c.command("ENT-CRS::1.1.1,1.2.3:2::G1,2WAY;").completion == Completion::compld);
  // Entered, not active: reserved but no light, not listed as a Polatis patch.
  CHECK(emu->connections().empty());
  auto crs = c.command("RTRV-CRS:::3::ALL;");
  REQUIRE(crs.lines.size() == 1);
  CHECK(crs.lines[0].find("1.1.1-1.2.3:SRCPORT=1.1.1,DSTPORT=1.2.3,GRPNAME=G1,CONNNAME=1.1.1-1.2.3,CONNTYPE=2WAY") == 0);
  CHECK(crs.lines[0].find("PS=DPR") != std::string::npos);

  REQUIRE(c.command("ACT-CRS::1.1.1,1.2.3:4::1.1.1-1.2.3,G1;").completion == Completion::compld);
  CHECK(emu->connections() == std::vector<Connection>{{1, 11, true}});
  crs = c.command("RTRV-CRS:::5::ALL;");
  REQUIRE(crs.lines.size() == 1);
  CHECK(crs.lines[0].find("OS=RDY,OC=OK,PS=UPR,AL=CL") != std::string::npos);
  auto sum = c.command("RTRV-PORT-SUM::1.2.3:6;");
  REQUIRE(sum.lines.size() == 1);
  CHECK(sum.lines[0] == "1.2.3:ALIAS=NONE,INPWR=0.00,OUTPWR=-1.50,CONNNAME=1.1.1-1.2.3,STATUS=ENABLED");

  // Ports in use, out of range, unknown verbs.
  CHECK(c.command("ENT-CRS::1.1.1,1.1.2:7::G1,2WAY;").error_code == "SROF");
  CHECK(c.command("ENT-CRS::1.1.1,9.1.1:8::G1,2WAY;").error_code == "IIAC");
  CHECK(c.command("ENT-CRS::1.1,1.1.2:9::G1,2WAY;").error_code == "IDNV");
  CHECK(c.command("ENT-PATCH::1,2:10:;").error_code == "IICM");   // not Calient

  REQUIRE(c.command("CANC-CRS::1.1.1,1.2.3:11::,G1,1.1.1-1.2.3;").completion == Completion::compld);
  CHECK(emu->connections().empty());
  REQUIRE(c.command("DLT-CRS::1.1.1,1.2.3:12::,G1,1.1.1-1.2.3;").completion == Completion::compld);
  CHECK(c.command("RTRV-CRS:::13::ALL;").lines.empty());
  CHECK(c.command("DLT-CRS::1.1.1,1.2.3:14::,G1,1.1.1-1.2.3;").error_code == "IENE");

  // The same state is visible over Polatis TL1 (port 11 is 1.2.3).
  REQUIRE(c.command("ENT-CRS::1.1.2,1.1.4:15::G2,1WAY;").completion == Completion::compld);
  REQUIRE(c.command("ACT-CRS::1.1.2,1.1.4:16::1.1.2>1.1.4,G2;").completion == Completion::compld);
  Tl1Client p(emu->tl1_port());
  p.login();
  CHECK(p.command("RTRV-PATCH:::1:;").lines == std::vector<std::string>{"2,4"});
}

TEST_CASE("tl1: the largest switch (576x576) is patched and unpatched whole", "[ocs-emu][tl1]") {
  auto o = mixnet::testing::emu_options();
  o.inputs = 576;
  o.outputs = 576;
  auto emu = mixnet::testing::start_emu(o);
  Tl1Client c(emu->tl1_port());
  c.login();
  CHECK(c.command("RTRV-EQPT::SYSTEM:1:::PARAMETER=SIZE;").lines == std::vector<std::string>{"SYSTEM:SIZE=576x576"});
  REQUIRE(c.command("ENT-PATCH::1&&576,577&&1152:2:;").completion == Completion::compld);
  const auto patches = c.command("RTRV-PATCH:::3:;").lines;
  REQUIRE(patches.size() == 576);
  CHECK(patches.front() == "1,577");
  CHECK(patches.back() == "576,1152");
  CHECK(c.command("RTRV-PORT-POWER::ALL:4:;").lines.size() == 1152);
  CHECK(c.command("ENT-PATCH::1,1153:5:;").error_code == "IIAC");
  REQUIRE(c.command("DLT-PATCH::ALL:6:;").completion == Completion::compld);
  CHECK(emu->connections().empty());
  CHECK(emu->ground_truth().size() == 1152);
}
