// NetnsPlane in real namespaces, under an in-process emulator: circuits made over TL1, RESTCONF
// and the control API bring carrier up at both NIC ports after the modelled training, pass
// frames only between the two ports they join, and go dark when broken or half-made. Each fault
// does what it says; the ground truth is in order; the /v1/plane routes answer over HTTP.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "common/clock.hpp"
#include "tests/tools/lab-plane/lab_fixture.hpp"
#include "tests/tools/ocs-emu/emu_fixture.hpp"
#include "tests/tools/ocs-emu/tl1_client.hpp"

using namespace mixnet::testing;
using mixnet::lab::EndEventKind;
using mixnet::lab::EndState;
using mixnet::ocs::tl1::Completion;
using nlohmann::json;

namespace {

// NxM 8x8 cabling, deliberately not port i on OCS port i:
//   h1: tx 3 rx 12   h2: tx 1 rx 9   h3: tx 2 rx 14   h4: tx 4 rx 10
// h1<->h2 is in(3)->out(9) + in(1)->out(12); h3<->h4 is in(2)->out(10) + in(4)->out(14).
std::vector<std::pair<int, int>> four_ports() { return {{3, 12}, {1, 9}, {2, 14}, {4, 10}}; }
const std::vector<mixnet::ocs_emu::Connection> kBothCircuits{{3, 9, false}, {1, 12, false}, {2, 10, false}, {4, 14, false}};

std::vector<EndEventKind> kinds(const std::vector<mixnet::lab::EndEvent>& events) {
  std::vector<EndEventKind> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

}  // namespace

TEST_CASE("plane: a circuit over TL1 and RESTCONF lights both ends after training, joins only them",
          "[lab-plane][netns]") {
  const std::int64_t t0 = mixnet::realtime_ns();
  PlaneLab lab(four_ports(), false, "fixed:50", /*skip_first_qdisc=*/true);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK_FALSE(lab.ocs_admin_up(i));
    CHECK_FALSE(lab.host_carrier(i));
  }
  // The plane added the ingress qdisc mixnet-lab would have (left out for h1 on purpose).
  CHECK(run_command("tc -n " + lab.ocs + " qdisc show dev o1").find("ingress") != std::string::npos);

  Tl1Client tl1(lab.emu->tl1_port());
  tl1.login();
  // Half a circuit: h1's light reaches h2, nothing comes back. Both stay dark.
  REQUIRE(tl1.command("ENT-PATCH::3,9:1:;").completion == Completion::compld);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));   // well past the 50 ms training
  CHECK(lab.state(0) == EndState::dark);
  CHECK(lab.state(1) == EndState::dark);
  CHECK_FALSE(lab.host_carrier(0));
  CHECK_FALSE(lab.host_carrier(1));
  CHECK(lab.events_of(0).empty());
  CHECK(run_command("tc -n " + lab.ocs + " filter show dev o1 ingress").find("o2") != std::string::npos);

  // The way back: both ends light, train 50 ms, come up.
  REQUIRE(tl1.command("ENT-PATCH::1,12:2:;").completion == Completion::compld);
  CHECK(lab.wait_carrier(0, true));
  CHECK(lab.wait_carrier(1, true));
  CHECK(lab.state(0) == EndState::up);
  CHECK_FALSE(lab.host_carrier(2));

  const auto truth = lab.emu->ground_truth();
  REQUIRE(truth.size() >= 2);
  const std::uint64_t back_id = truth.back().id;   // the connect 1 -> 12
  for (std::size_t i : {0u, 1u}) {
    const auto ev = lab.events_of(i);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == EndEventKind::light_on);
    CHECK(ev[1].kind == EndEventKind::link_up);
    CHECK(ev[0].change_id == back_id);
    CHECK(ev[1].change_id == back_id);
    REQUIRE(ev[1].training_ms);
    CHECK(*ev[1].training_ms == 50.0);
    CHECK(ev[1].time_ns - ev[0].time_ns >= 50'000'000);   // the training delay, a lower bound
    CHECK(ev[0].time_ns >= t0);
    CHECK(ev[1].time_ns <= mixnet::realtime_ns());
    CHECK(ev[0].seq < ev[1].seq);
  }
  // The plane reported when light reached port 12 (the second connect's egress).
  REQUIRE_FALSE(truth.back().light.empty());
  CHECK(truth.back().light.front().port == 12);

  // h3 <-> h4 over RESTCONF.
  auto r = rest(*lab.emu, "POST", "/api/data/optical-switch:cross-connects",
                R"({"optical-switch:pair":[{"ingress":2,"egress":10},{"ingress":4,"egress":14}]})");
  REQUIRE(r.status == 201);
  CHECK(lab.wait_carrier(2, true));
  CHECK(lab.wait_carrier(3, true));

  // Frames pass only within each circuit.
  CHECK(frame_reaches(lab, 0, {1, 2, 3}) == std::vector<bool>{true, false, false});
  CHECK(frame_reaches(lab, 1, {0, 2, 3}) == std::vector<bool>{true, false, false});
  CHECK(frame_reaches(lab, 3, {0, 1, 2}) == std::vector<bool>{false, false, true});

  // Breaking one direction takes carrier down at both ends at once.
  REQUIRE(tl1.command("DLT-PATCH::3:3:;").completion == Completion::compld);
  CHECK(lab.wait_carrier(0, false));
  CHECK(lab.wait_carrier(1, false));
  CHECK(lab.state(0) == EndState::dark);
  CHECK(lab.host_carrier(2));
  const auto ev = lab.events_of(0);
  CHECK(kinds(ev) == std::vector<EndEventKind>{EndEventKind::light_on, EndEventKind::link_up, EndEventKind::light_off,
                                              EndEventKind::link_down});
  CHECK(ev[3].time_ns >= ev[2].time_ns);
  CHECK(ev[2].change_id == lab.emu->ground_truth().back().id);
  CHECK(frame_reaches(lab, 0, {1}) == std::vector<bool>{false});
  CHECK(run_command("tc -n " + lab.ocs + " filter show dev o1 ingress").find("mirred") == std::string::npos);

  // Every event in order, with times that never go backwards per end.
  const auto all = lab.plane->events(0, 1000);
  for (std::size_t k = 1; k < all.size(); ++k) CHECK(all[k].seq == all[k - 1].seq + 1);
}

// One-port ends: a preset circuit lights and joins only its two ends; a re-patch moves carrier and frames.
TEST_CASE("plane: any-to-any ports, preset through the emulator", "[lab-plane][netns]") {
  PlaneLab lab({{2, 2}, {5, 5}, {7, 7}}, true, "fixed:20");
  REQUIRE(lab.emu->preset({{2, 5, true}}));
  CHECK(lab.wait_carrier(0, true));
  CHECK(lab.wait_carrier(1, true));
  CHECK(frame_reaches(lab, 1, {0, 2}) == std::vector<bool>{true, false});
  REQUIRE(lab.emu->preset({{2, 7, true}}));   // re-patch: h1 now talks to h3
  CHECK(lab.wait_carrier(1, false));
  CHECK(lab.wait_carrier(2, true));
  CHECK(wait_until([&] { return lab.state(0) == EndState::up; }));
  CHECK(frame_reaches(lab, 0, {1, 2}) == std::vector<bool>{false, true});
}

TEST_CASE("plane faults: miswire, dark, flap", "[lab-plane][netns][faults]") {
  PlaneLab lab(four_ports(), false, "fixed:30");
  REQUIRE(lab.emu->preset({{3, 9, false}, {1, 12, false}}));   // h1 <-> h2
  REQUIRE(lab.wait_carrier(0, true));
  REQUIRE(lab.wait_carrier(1, true));

  SECTION("miswire: h2 and h3 swap OCS ports, so h1 now reaches h3") {
    REQUIRE(lab.plane->apply_fault(json{{"kind", "miswire"}, {"a", "h2:ocs0"}, {"b", "h3:ocs0"}}));
    CHECK(lab.wait_carrier(1, false));
    CHECK(lab.wait_carrier(2, true));
    CHECK(lab.wait_carrier(0, true));
    CHECK(wait_until([&] { return lab.state(0) == EndState::up; }));
    CHECK(frame_reaches(lab, 0, {1, 2}) == std::vector<bool>{false, true});
    const json d = lab.plane->describe();
    CHECK(d["ends"][1]["faults"]["miswired_with"] == "h3:ocs0");
    CHECK(d["ends"][1]["tx"] == 2);
    CHECK(d["ends"][0]["peer"] == "h3:ocs0");
    // h1 went dark and relit with a new peer: light_off, link_down, light_on, link_up (change 0).
    const auto ev = lab.events_of(0);
    REQUIRE(ev.size() >= 6);
    CHECK(kinds({ev.end() - 4, ev.end()}) == std::vector<EndEventKind>{EndEventKind::light_off, EndEventKind::link_down,
                                                                       EndEventKind::light_on, EndEventKind::link_up});
    CHECK(ev[ev.size() - 4].change_id == 0);
    // Undone: h1 and h2 again.
    REQUIRE(lab.plane->clear_faults(std::nullopt));
    CHECK(lab.wait_carrier(2, false));
    CHECK(lab.wait_carrier(1, true));
    CHECK(wait_until([&] { return lab.state(0) == EndState::up; }));
    CHECK(frame_reaches(lab, 0, {1, 2}) == std::vector<bool>{true, false});
  }

  SECTION("dark: the end and its peer never light, until cleared") {
    REQUIRE(lab.plane->apply_fault(json{{"kind", "dark"}, {"end", "h1:ocs0"}}));
    CHECK(lab.wait_carrier(0, false));
    CHECK(lab.wait_carrier(1, false));
    // Re-make the circuit: still dark, well past the training delay.
    REQUIRE(lab.emu->preset({}));
    REQUIRE(lab.emu->preset({{3, 9, false}, {1, 12, false}}));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(lab.state(0) == EndState::dark);
    CHECK(lab.state(1) == EndState::dark);
    CHECK_FALSE(lab.host_carrier(0));
    CHECK(lab.plane->describe()["ends"][0]["faults"]["dark"] == true);
    REQUIRE(lab.plane->clear_faults(std::string("h1:ocs0")));
    CHECK(lab.wait_carrier(0, true));
    CHECK(lab.wait_carrier(1, true));
  }

  SECTION("flap: carrier goes down and up `count` times while lit, logged with change 0") {
    const std::size_t before = lab.events_of(0).size();
    REQUIRE(lab.plane->apply_fault(json{{"kind", "flap"}, {"end", "h1:ocs0"}, {"count", 2}, {"down_ms", 60}, {"up_ms", 60}}));
    CHECK(wait_until([&] { return lab.events_of(0).size() >= before + 4; }));
    CHECK(wait_until([&] { return lab.plane->describe()["ends"][0]["faults"]["flapping"] == false; }));
    const auto ev = lab.events_of(0);
    REQUIRE(ev.size() == before + 4);
    const std::vector<mixnet::lab::EndEvent> flap(ev.begin() + static_cast<long>(before), ev.end());
    CHECK(kinds(flap) == std::vector<EndEventKind>{EndEventKind::link_down, EndEventKind::link_up,
                                                   EndEventKind::link_down, EndEventKind::link_up});
    for (const auto& e : flap) CHECK(e.change_id == 0);
    CHECK(flap[1].time_ns - flap[0].time_ns >= 60'000'000);
    CHECK(lab.state(0) == EndState::up);
    CHECK(lab.wait_carrier(0, true));
    CHECK(lab.state(1) == EndState::up);   // the peer's own carrier is untouched
  }
}

TEST_CASE("plane fault cap: tbf on both devs limits a transfer both ways", "[lab-plane][netns][faults]") {
  PlaneLab lab(four_ports(), false, "fixed:10");
  REQUIRE(lab.emu->preset({{3, 9, false}, {1, 12, false}}));
  REQUIRE(lab.wait_carrier(0, true));
  REQUIRE(lab.wait_carrier(1, true));
  constexpr std::size_t kBytes = 1 << 20;
  const double free_mbit = tcp_mbit(lab, 0, 1, kBytes);

  constexpr int kCap = 8;
  REQUIRE(lab.plane->apply_fault(json{{"kind", "cap"}, {"end", "h1:ocs0"}, {"mbit", kCap}}));
  CHECK(run_command("tc -n " + lab.ocs + " qdisc show dev o1").find("tbf") != std::string::npos);
  CHECK(run_command("tc -n " + lab.ports[0].host + " qdisc show dev ocs0").find("tbf") != std::string::npos);
  const double sent_mbit = tcp_mbit(lab, 0, 1, kBytes);       // capped on the host-side dev
  const double received_mbit = tcp_mbit(lab, 1, 0, kBytes);   // capped on the OCS-side dev
  WARN("uncapped " << free_mbit << " Mbit/s, capped at " << kCap << ": sent " << sent_mbit << ", received "
                   << received_mbit);
  // Upper bounds only (a busy machine can only make transfers slower): well under the uncapped
  // rate, and no faster than the cap plus the bucket's allowance.
  CHECK(sent_mbit < kCap * 1.5);
  CHECK(received_mbit < kCap * 1.5);
  CHECK(free_mbit > kCap * 2);
  CHECK(lab.plane->describe()["ends"][0]["faults"]["cap_mbit"] == kCap);

  REQUIRE(lab.plane->clear_faults(std::nullopt));
  CHECK(run_command("tc -n " + lab.ocs + " qdisc show dev o1").find("tbf") == std::string::npos);
  CHECK(run_command("tc -n " + lab.ports[0].host + " qdisc show dev ocs0").find("tbf") == std::string::npos);
}

// /v1/plane shows ends and state, /v1/plane/events pages truth events, /v1/plane/faults sets and clears faults.
TEST_CASE("plane control API over HTTP", "[lab-plane][netns][control]") {
  PlaneLab lab(four_ports(), false, "fixed:20");
  auto r = lab.control("GET", "/v1/plane");
  REQUIRE(r.status == 200);
  json j = r.json();
  CHECK(j["plane"] == "netns");
  CHECK(j["netns"] == lab.ocs);
  CHECK(j["profile"] == "fixed:20");
  REQUIRE(j["ends"].size() == 4);
  CHECK(j["ends"][0]["id"] == "h1:ocs0");
  CHECK(j["ends"][0]["tx"] == 3);
  CHECK(j["ends"][0]["rx"] == 12);
  CHECK(j["ends"][0]["state"] == "dark");
  CHECK(j["ends"][0]["peer"].is_null());

  REQUIRE(lab.control("PUT", "/v1/connections", R"({"connections":[{"from":3,"to":9},{"from":1,"to":12}]})").status == 200);
  REQUIRE(lab.wait_carrier(0, true));
  CHECK(wait_until([&] { return lab.control("GET", "/v1/plane").json()["ends"][1]["state"] == "up"; }));
  j = lab.control("GET", "/v1/plane").json();
  CHECK(j["ends"][0]["peer"] == "h2:ocs0");
  CHECK(j["ends"][0]["state"] == "up");

  r = lab.control("GET", "/v1/plane/events?after=0&limit=2");
  REQUIRE(r.status == 200);
  j = r.json();
  REQUIRE(j["events"].size() == 2);
  CHECK(j["events"][0]["seq"] == 1);
  CHECK(j["events"][0]["kind"] == "light_on");
  CHECK(j["next_after"] == 2);
  j = lab.control("GET", "/v1/plane/events?after=2").json();
  REQUIRE(j["events"].size() == 2);
  CHECK(j["events"][0]["kind"] == "link_up");
  CHECK(j["events"][0]["training_ms"] == 20.0);
  CHECK(j["next_after"] == 4);
  CHECK(lab.control("GET", "/v1/plane/events?after=4").json()["events"].empty());
  CHECK(lab.control("GET", "/v1/plane/events?limit=x").status == 400);

  // Faults: errors name the field; unknown ends are 404.
  auto field = [&](const std::string& body) {
    auto reply = lab.control("POST", "/v1/plane/faults", body);
    return std::pair{reply.status, reply.json()["error"].value("field", std::string())};
  };
  CHECK(field(R"({"kind":"melt","end":"h1:ocs0"})") == std::pair{400u, std::string("kind")});
  CHECK(field(R"({"end":"h1:ocs0"})") == std::pair{400u, std::string("kind")});
  CHECK(field(R"({"kind":"cap","end":"h1:ocs0","mbit":0})") == std::pair{400u, std::string("mbit")});
  CHECK(field(R"({"kind":"cap","end":"h1:ocs0"})") == std::pair{400u, std::string("mbit")});
  CHECK(field(R"({"kind":"dark","end":"h1:ocs0","extra":1})") == std::pair{400u, std::string("extra")});
  CHECK(field(R"({"kind":"flap","end":"h1:ocs0","count":0})") == std::pair{400u, std::string("count")});
  CHECK(field(R"({"kind":"miswire","a":"h1:ocs0","b":"h1:ocs0"})") == std::pair{400u, std::string("b")});
  CHECK(field(R"({"kind":"dark","end":"h9:ocs0"})") == std::pair{404u, std::string("end")});
  CHECK(field(R"([1])") == std::pair{400u, std::string("body")});
  CHECK(lab.control("PUT", "/v1/plane/faults", "{}").status == 405);
  CHECK(lab.control("GET", "/v1/plane/nothing").status == 404);

  REQUIRE(lab.control("POST", "/v1/plane/faults", R"({"kind":"dark","end":"h2:ocs0"})").status == 200);
  CHECK(lab.wait_carrier(0, false));
  CHECK(lab.control("GET", "/v1/plane").json()["ends"][1]["faults"]["dark"] == true);
  CHECK(lab.control("DELETE", "/v1/plane/faults?end=h9:ocs0").status == 404);
  REQUIRE(lab.control("DELETE", "/v1/plane/faults?end=h2:ocs0").status == 200);
  CHECK(lab.wait_carrier(0, true));
  CHECK(lab.control("GET", "/v1/plane").json()["ends"][1]["faults"]["dark"] == false);
}

// The linkwatch pump (tools/lab/plane/linkwatch_pump.hpp): it flips the spare pair while a NIC
// port's carrier change is not yet announced, stops once it is (an idle lab stays idle), waits
// for nothing from a NIC that is admin down, and gives up on an announcement that never comes
// instead of flipping for ever.
TEST_CASE("plane: the linkwatch pump flips until the NIC ports are announced, then stops, and gives up on a NIC that is down",
          "[lab-plane][netns][pump]") {
  PlaneLab lab(four_ports(), false, "fixed:10");
  auto pump = [&] { return lab.control("GET", "/v1/plane").json()["linkwatch_kick"]; };
  REQUIRE(pump().is_object());
  CHECK(pump()["dev"] == "lwkick");
  CHECK(pump()["flips"] == 0);   // nothing changed yet: nothing flipped

  REQUIRE(lab.control("PUT", "/v1/connections", R"({"connections":[{"from":3,"to":9},{"from":1,"to":12}]})").status == 200);
  REQUIRE(lab.wait_carrier(0, true));
  REQUIRE(lab.wait_carrier(1, true));
  CHECK(wait_until([&] { return pump()["awaited"] == 0; }));
  const auto flips = pump()["flips"].get<std::uint64_t>();
  CHECK(flips > 0);
  CHECK(pump()["gave_up"] == 0);
  // Idle: no more flips once the grace after the last change has passed.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto settled = pump()["flips"].get<std::uint64_t>();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(pump()["flips"] == settled);

  // h3's NIC is admin down: it transmits nothing, so its circuit lights neither end and no
  // carrier change is awaited (nothing flips).
  lab.set_nic_admin(2, false);
  CHECK(wait_until([&] { return lab.plane->describe()["ends"][2]["emitting"] == false; }));
  const auto before_dark_circuit = pump()["flips"].get<std::uint64_t>();
  // (Added over TL1: h1 <-> h2 stays as it is.)
  Tl1Client tl1(lab.emu->tl1_port());
  tl1.login();
  REQUIRE(tl1.command("ENT-PATCH::2&4,10&14:2:;").completion == Completion::compld);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));   // well past the 10 ms training
  CHECK(lab.state(0) == EndState::up);
  CHECK_FALSE(lab.host_carrier(3));
  CHECK(lab.state(3) == EndState::dark);
  CHECK(pump()["awaited"] == 0);
  CHECK(pump()["flips"] == before_dark_circuit);

  // A port whose announcement never comes (its NIC went down between the change and the
  // announcement, say): the pump waits its give-up time, counts it, and goes idle again.
  auto spare = mixnet::lab::LinkwatchPump::open(lab.ocs, "lwkick");
  REQUIRE(spare);
  (*spare)->expect(lab.ports[2].host, "ocs0", true);
  CHECK(wait_until([&] { return (*spare)->gave_up() == 1 && (*spare)->awaited() == 0; }, std::chrono::seconds(10)));
  const auto after_give_up = (*spare)->flips();
  CHECK(after_give_up > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK((*spare)->flips() == after_give_up);
}
