// A port looped back to itself: the circuit in(A.tx) -> out(A.rx) sends A's light back to A. The
// plane lights A with itself (a redirect from A's end to A's own end), its carrier comes up after
// training, its frames come back to its own NIC, and the agent there learns itself as the
// neighbour (docs/agent-api.md, "Neighbours learnt on their own").
#include <catch2/catch.hpp>

#include <thread>

#include "tests/support/agent_process.hpp"
#include "tests/tools/lab-plane/lab_fixture.hpp"

using namespace mixnet::testing;
using mixnet::lab::EndEventKind;
using mixnet::lab::EndState;
using nlohmann::json;

namespace {

// The `neighbor` events of an agent's journal after `after`, waiting (bounded) for the first.
std::vector<json> self_loop_neighbors(const AgentProcess& agent, std::uint64_t after) {
  std::vector<json> out;
  for (int i = 0; i < 250 && out.empty(); ++i) {
    auto r = agent.get("/v1/events?after=" + std::to_string(after));
    REQUIRE(r.status == 200);
    const json page = r.json();
    for (const auto& ev : page.at("events")) {
      if (ev.at("kind") == "neighbor") out.push_back(ev);
    }
    if (out.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return out;
}

}  // namespace

TEST_CASE("plane: a port looped back to itself lights with itself, and its agent learns itself as the neighbour",
          "[lab-plane][netns][self-loop]") {
  PlaneLab lab({{3, 12}, {1, 9}}, false, "fixed:30");
  AgentProcess agent(lab.net, lab.ports[0].host, "host-a", "ocs0");
  auto journal = agent.get("/v1/events?after=0");
  REQUIRE(journal.status == 200);
  const std::uint64_t after = journal.json().at("next_after");

  REQUIRE(lab.emu->preset({{3, 12, false}}));   // h1's own input to h1's own output
  CHECK(lab.wait_carrier(0, true));
  CHECK(lab.state(0) == EndState::up);
  CHECK(lab.state(1) == EndState::dark);
  const json d = lab.plane->describe();
  CHECK(d["ends"][0]["peer"] == "h1:ocs0");
  const auto ev = lab.events_of(0);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].kind == EndEventKind::light_on);
  CHECK(ev[1].kind == EndEventKind::link_up);
  CHECK(ev[1].training_ms == 30.0);
  // A frame h1 sends comes back to h1 (as an incoming frame), and to nobody else.
  CHECK(frame_reaches(lab, 0, {0, 1}) == std::vector<bool>{true, false});

  const auto heard = self_loop_neighbors(agent, after);
  REQUIRE(heard.size() >= 1);
  CHECK(heard.at(0).at("port") == "ocs0");
  CHECK(heard.at(0).at("neighbor").at("host_id") == "host-a");
  CHECK(heard.at(0).at("neighbor").at("port") == "ocs0");
  auto listed = agent.get("/v1/neighbors?port=ocs0");
  REQUIRE(listed.status == 200);
  const json ports = listed.json().at("ports");
  REQUIRE(ports.size() == 1);
  REQUIRE(ports.at(0).at("neighbors").size() == 1);
  CHECK(ports.at(0).at("neighbors").at(0).at("host_id") == "host-a");

  // Broken: dark again.
  REQUIRE(lab.emu->preset({}));
  CHECK(lab.wait_carrier(0, false));
  CHECK(lab.state(0) == EndState::dark);
}
