// Link events through the journal: the far end of a veth goes down and up, a long-polling client
// is handed each event at once, with sane times and increasing sequence numbers.
#include <catch2/catch.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/agent_process.hpp"

using namespace mixnet::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Poll {
  json page;
  std::int64_t received_ns = 0;
};

// A long-poll on its own thread (inside the agent's namespace).
std::future<Poll> long_poll(NetnsFixture& net, const AgentProcess& agent, std::uint64_t after, int wait_ms) {
  return std::async(std::launch::async, [&net, &agent, after, wait_ms] {
    enter_namespace(agent.ns());
    (void)net;
    auto r = http_request("127.0.0.1", kAgentPort,
                          HttpCall{.target = "/v1/events?after=" + std::to_string(after) + "&wait_ms=" +
                                             std::to_string(wait_ms),
                                   .token = agent.token(),
                                   .timeout = std::chrono::milliseconds(wait_ms + 5000)});
    Poll p{.received_ns = now_realtime_ns()};
    if (r.status != 200) throw std::runtime_error("events: HTTP " + std::to_string(r.status) + " " + r.body);
    p.page = r.json();
    return p;
  });
}

// The kernel rate-limits a link's carrier-down notifications to one a second unless linkwatch
// deems them urgent, which for a veth means its ifindex differs from its peer's. Two fresh
// namespaces number their first veth ends alike, so the far side gets a spare pair first.
void pad_ifindex(NetnsFixture& net, const std::string& ns) {
  net.ip(ns, "link add mxpad0 type veth peer name mxpad1");  // this kernel has no dummy driver
}

// Waits until the agent has a long-poll reader parked (so the flip happens while it waits).
void wait_for_reader(const AgentProcess& agent) {
  for (int i = 0; i < 200; ++i) {
    const auto m = agent.get("/metrics").body;
    if (m.find("mixnet_agent_journal_waiting_readers 1\n") != std::string::npos) return;
    std::this_thread::sleep_for(5ms);
  }
  FAIL("the long-poll never reached the agent");
}

// The first event of the wanted kind in the page, or null.
json find_kind(const json& page, const std::string& kind) {
  for (const auto& e : page.at("events")) {
    if (e.at("kind") == kind) return e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("far end down and up: link_down and link_up reach a long-polling client", "[integration][agent]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  pad_ifindex(net, b);
  net.add_veth(a, "mxa0", b, "mxb0");
  net.add_veth(a, "other0", a, "other1");
  AgentProcess agent(net, a, "host-a", "mxa0");

  auto start = agent.get("/v1/events?after=0");
  REQUIRE(start.status == 200);
  std::uint64_t after = start.json().at("next_after");
  const std::string instance = start.json().at("instance");
  std::uint64_t last_seq = after;

  for (int round = 0; round < 3; ++round) {
    for (const std::string state : {"down", "up"}) {
      INFO("round " << round << ": far end " << state);
      // Catch up first (a flip may raise more than one message), so the long-poll really waits.
      after = agent.get("/v1/events?after=" + std::to_string(after)).json().at("next_after");
      auto fut = long_poll(net, agent, after, 10'000);
      wait_for_reader(agent);
      const std::int64_t before = now_realtime_ns();
      net.ip(b, "link set dev mxb0 " + state);
      Poll p = fut.get();
      json ev = find_kind(p.page, state == "down" ? "link_down" : "link_up");
      for (int extra = 0; ev.is_null() && extra < 5; ++extra) {  // an unrelated event came first
        for (const auto& e : p.page.at("events")) last_seq = e.at("seq");
        p = long_poll(net, agent, p.page.at("next_after"), 2'000).get();
        ev = find_kind(p.page, state == "down" ? "link_down" : "link_up");
      }
      REQUIRE_FALSE(ev.is_null());
      CHECK(p.page.at("instance") == instance);
      CHECK(p.page.at("timed_out") == false);
      CHECK(p.page.at("missed") == 0);
      CHECK(ev.at("port") == "mxa0");
      CHECK(ev.at("carrier") == (state == "up"));
      CHECK(ev.at("source") == "netlink");
      // Stamped when the agent read it: after we flipped, before we held the reply.
      const std::int64_t t = ev.at("time_ns");
      CHECK(t >= before);
      CHECK(t <= p.received_ns);
      // Handed over at once, not at the 10 s wait bound.
      CHECK(p.received_ns - before < 2'000'000'000);
      for (const auto& e : p.page.at("events")) {
        const std::uint64_t seq = e.at("seq");
        CHECK(seq > last_seq);
        last_seq = seq;
      }
      after = p.page.at("next_after");
      CHECK(after == last_seq);
    }
  }

  // Nothing happened to managed ports since: a bounded wait times out empty.
  net.ip(a, "link set dev other0 down");  // unmanaged: invisible
  auto quiet = agent.get("/v1/events?after=" + std::to_string(after) + "&wait_ms=300");
  REQUIRE(quiet.status == 200);
  CHECK(quiet.json().at("events").empty());
  CHECK(quiet.json().at("timed_out") == true);

  // Asking beyond the newest sequence number is a client error naming "after".
  auto beyond = agent.get("/v1/events?after=" + std::to_string(after + 100));
  CHECK(beyond.status == 400);
  CHECK(beyond.json().at("error").at("field") == "after");
  auto too_long = agent.get("/v1/events?after=0&wait_ms=30001");
  CHECK(too_long.status == 400);
  CHECK(too_long.json().at("error").at("field") == "wait_ms");

  // The whole history is there for a reader starting at 0, in order.
  auto all = agent.get("/v1/events?after=0").json();
  std::uint64_t prev = 0;
  int downs = 0;
  for (const auto& e : all.at("events")) {
    CHECK(e.at("seq").get<std::uint64_t>() == prev + 1);
    prev = e.at("seq");
    CHECK(e.at("port") == "mxa0");
    if (e.at("kind") == "link_down") ++downs;
  }
  CHECK(downs == 3);

  const auto metrics = agent.get("/metrics").body;
  CHECK(metrics.find("mixnet_agent_link_events_total{kind=\"link_down\"} 3") != std::string::npos);
  CHECK(metrics.find("mixnet_agent_link_events_total{kind=\"link_up\"} 3") != std::string::npos);
}

TEST_CASE("a small journal tells a reader that fell behind how many it missed", "[integration][agent]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  pad_ifindex(net, b);
  net.add_veth(a, "mxa0", b, "mxb0");
  AgentProcess agent(net, a, "host-a", "mxa0", {"--journal-capacity", "16"});
  for (int i = 0; i < 15; ++i) {
    net.ip(b, "link set dev mxb0 down");
    net.ip(b, "link set dev mxb0 up");
  }
  // Wait (bounded) until the agent has journaled more than it can hold.
  json page;
  for (int i = 0; i < 200; ++i) {
    page = agent.get("/v1/events?after=0").json();
    if (page.at("last_seq").get<std::uint64_t>() > 16) break;
    std::this_thread::sleep_for(10ms);
  }
  const std::uint64_t last = page.at("last_seq");
  REQUIRE(last > 16);
  CHECK(page.at("events").size() == 16);
  CHECK(page.at("missed") == last - 16);
  CHECK(page.at("first_seq") == last - 15);
  CHECK(page.at("events").at(0).at("seq") == last - 15);
}
