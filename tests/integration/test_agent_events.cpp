// Link events through the journal: the far end of a veth goes down and up, a long-polling client
// is handed each event at once, with sane times and increasing sequence numbers; with
// --carrier-poll-us the carrier poller and netlink both see each change and it is journaled once.
#include <catch2/catch.hpp>
#include <sched.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/agent_process.hpp"

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

// Two namespaces cabled mxa0 (the agent's, returned first) to mxb0 (the far end's), padded.
std::pair<std::string, std::string> cabled_namespaces(NetnsFixture& net) {
  auto a = net.add_namespace();
  auto b = net.add_namespace();
  pad_ifindex(net, b);
  net.add_veth(a, "mxa0", b, "mxb0");
  return {a, b};
}

// Waits until the agent has `readers` long-poll readers parked (so the flip happens while they wait).
void wait_for_reader(const AgentProcess& agent, int readers = 1) {
  const std::string parked = "mixnet_agent_journal_waiting_readers " + std::to_string(readers) + "\n";
  for (int i = 0; i < 200; ++i) {
    const auto m = agent.get("/metrics").body;
    if (m.find(parked) != std::string::npos) return;
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

// One flip of the far end: the carrier event it should cause on mxa0, a stamp taken just before
// the command, and one taken once the journal had answered with the event.
struct Flip {
  std::string kind;
  std::int64_t before_ns = 0;
  std::int64_t seen_by_ns = 0;
};

// Sets the far end (mxb0 in far_ns) down and up `flaps` times, 100..200 ms apart, waiting (bounded)
// after each command until the journal holds the carrier event it causes.
std::vector<Flip> flap_far_end(NetnsFixture& net, const AgentProcess& agent, const std::string& far_ns, int flaps,
                               std::uint64_t after) {
  std::vector<Flip> flips;
  for (int i = 0; i < flaps; ++i) {
    for (const std::string state : {"down", "up"}) {
      Flip f{.kind = state == "down" ? "link_down" : "link_up", .before_ns = now_realtime_ns()};
      INFO("flap " << i << ": far end " << state);
      net.ip(far_ns, "link set dev mxb0 " + state);
      bool seen = false;
      for (int polls = 0; !seen && polls < 10; ++polls) {
        auto r = agent.get("/v1/events?after=" + std::to_string(after) + "&wait_ms=1000", 6000ms);
        f.seen_by_ns = now_realtime_ns();
        REQUIRE(r.status == 200);
        const json page = r.json();
        seen = !find_kind(page, f.kind).is_null();
        after = page.at("next_after");
      }
      REQUIRE(seen);
      flips.push_back(f);
      std::this_thread::sleep_for(std::chrono::milliseconds(100 + 100 * i / std::max(1, flaps - 1)));
    }
  }
  // A late second report of any flip would land now.
  std::this_thread::sleep_for(300ms);
  return flips;
}

// Every link_up / link_down journaled after `after` (all on mxa0: the only managed port).
std::vector<json> carrier_events(const AgentProcess& agent, std::uint64_t after) {
  std::vector<json> out;
  for (int pages = 0; pages < 100; ++pages) {
    auto r = agent.get("/v1/events?after=" + std::to_string(after));
    REQUIRE(r.status == 200);
    const json page = r.json();
    CHECK(page.at("missed") == 0);
    for (const auto& e : page.at("events")) {
      CHECK(e.at("port") == "mxa0");
      if (e.at("kind") == "link_up" || e.at("kind") == "link_down") out.push_back(e);
    }
    if (page.at("next_after") == page.at("last_seq")) return out;
    after = page.at("next_after");
  }
  FAIL("the journal did not end within 100 pages");
  return out;
}

// Each flip is exactly one carrier event, in order, stamped between the command and our read;
// returns how many came from each source.
std::map<std::string, int> check_one_event_per_flip(const std::vector<Flip>& flips, const std::vector<json>& events) {
  std::map<std::string, int> sources;
  REQUIRE(events.size() == flips.size());
  std::int64_t previous = 0;
  for (std::size_t k = 0; k < flips.size(); ++k) {
    INFO("flip " << k << ": " << flips[k].kind << "; event " << events[k].dump());
    CHECK(events[k].at("kind") == flips[k].kind);
    CHECK(events[k].at("carrier") == (flips[k].kind == "link_up"));
    const std::int64_t t = events[k].at("time_ns");
    CHECK(t >= flips[k].before_ns);
    CHECK(t <= flips[k].seen_by_ns);
    CHECK(t > previous);
    previous = t;
    ++sources[events[k].at("source").get<std::string>()];
  }
  return sources;
}

// The kernel ids of the agent's threads named `name` (/proc/PID/task/*/comm).
std::vector<pid_t> agent_threads_named(const AgentProcess& agent, const std::string& name) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(agent.pid()) + "/task", ec)) {
    std::ifstream in(task.path() / "comm");
    std::string comm;
    std::getline(in, comm);
    if (comm == name) out.push_back(static_cast<pid_t>(std::stoi(task.path().filename().string())));
  }
  return out;
}

}  // namespace

TEST_CASE("far end down and up: link_down and link_up reach a long-polling client", "[integration][agent][events]") {
  NetnsFixture net;
  const auto [a, b] = cabled_namespaces(net);
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

TEST_CASE("two long-polls parked on one far-end change are both answered with it, alike", "[integration][agent][events]") {
  // Each woken reader's page is written straight to text (common/wire/events_page_text.hpp) and
  // sent at once; both must carry the same events, with the same seq and time.
  NetnsFixture net;
  const auto [a, b] = cabled_namespaces(net);
  AgentProcess agent(net, a, "host-a", "mxa0");
  const std::uint64_t after = agent.get("/v1/events?after=0").json().at("next_after");
  auto first = long_poll(net, agent, after, 10'000);
  auto second = long_poll(net, agent, after, 10'000);
  wait_for_reader(agent, 2);
  net.ip(b, "link set dev mxb0 down");
  const Poll p1 = first.get();
  const Poll p2 = second.get();
  const json down1 = find_kind(p1.page, "link_down");
  REQUIRE_FALSE(down1.is_null());
  CHECK(down1 == find_kind(p2.page, "link_down"));
  CHECK(p1.page.at("events").at(0) == p2.page.at("events").at(0));
  CHECK(down1.at("seq").get<std::uint64_t>() == after + 1);
  for (const auto& p : {p1, p2}) {
    CHECK(p.page.at("timed_out") == false);
    CHECK(p.page.at("missed") == 0);
    CHECK(p.page.at("events").at(0).at("seq").get<std::uint64_t>() == after + 1);
  }
  // The page each got is what a plain read of the journal says now, event for event.
  const json now = agent.get("/v1/events?after=" + std::to_string(after)).json();
  for (std::size_t i = 0; i < p1.page.at("events").size(); ++i) CHECK(p1.page.at("events").at(i) == now.at("events").at(i));
}

TEST_CASE("a small journal tells a reader that fell behind how many it missed", "[integration][agent][events]") {
  NetnsFixture net;
  const auto [a, b] = cabled_namespaces(net);
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

TEST_CASE("carrier polling (--carrier-poll-us): each far-end flap is one link_down and one link_up, the poller's or netlink's",
          "[integration][agent][events]") {
  NetnsFixture net;
  const auto [a, b] = cabled_namespaces(net);
  AgentProcess agent(net, a, "host-a", "mxa0", {"--carrier-poll-us", "100"});
  CHECK_THAT(agent.log(), Catch::Contains("reading the carrier of managed ports every 100 us"));
  REQUIRE(agent.post("/v1/carrier/poll", R"({"duration_ms": 60000})").status == 200);   // as measure.reconfig does

  auto start = agent.get("/v1/events?after=0");
  REQUIRE(start.status == 200);
  const std::uint64_t after = start.json().at("next_after");

  constexpr int kFlaps = 5;
  const auto flips = flap_far_end(net, agent, b, kFlaps, after);
  const auto events = carrier_events(agent, after);
  const auto sources = check_one_event_per_flip(flips, events);
  std::string seen;
  for (const auto& [source, n] : sources) seen += source + ": " + std::to_string(n) + " ";
  INFO("carrier event sources: " << seen);
  for (const auto& [source, n] : sources) CHECK((source == "carrier-poll" || source == "netlink"));
  // Netlink announces a veth's carrier change from the linkwatch worker; reading the carrier bit
  // every 100 us (armed before the first change) gets there first at least once.
  CHECK(sources.contains("carrier-poll"));

  // The other source's report of the same change added nothing.
  const auto metrics = agent.get("/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("mixnet_agent_link_events_total{kind=\"link_down\"} " + std::to_string(kFlaps) + "\n"));
  CHECK_THAT(metrics, Catch::Contains("mixnet_agent_link_events_total{kind=\"link_up\"} " + std::to_string(kFlaps) + "\n"));
}

TEST_CASE("without --carrier-poll-us every carrier event comes from netlink", "[integration][agent][events]") {
  NetnsFixture net;
  const auto [a, b] = cabled_namespaces(net);
  AgentProcess agent(net, a, "host-a", "mxa0");
  CHECK_THAT(agent.log(), !Catch::Contains("reading the carrier"));

  auto start = agent.get("/v1/events?after=0");
  REQUIRE(start.status == 200);
  const std::uint64_t after = start.json().at("next_after");

  const auto flips = flap_far_end(net, agent, b, 3, after);
  const auto sources = check_one_event_per_flip(flips, carrier_events(agent, after));
  CHECK(sources == std::map<std::string, int>{{"netlink", 6}});
}

TEST_CASE("carrier polling (--carrier-poll-us): under fast flaps carrier events alternate and stay in time order",
          "[integration][agent][events]") {
  // Flaps faster than the agent's io thread turns around: the poller's readings are posted to it
  // while netlink may already have reported the same changes and later ones. A reading older than
  // the port's last journaled carrier event must add nothing (it once added the change again,
  // stamped before the event it followed).
  NetnsFixture net;
  const auto [a, b] = cabled_namespaces(net);
  AgentProcess agent(net, a, "host-a", "mxa0", {"--carrier-poll-us", "50"});
  REQUIRE(agent.post("/v1/carrier/poll", R"({"duration_ms": 60000, "ports": ["mxa0"]})").status == 200);
  auto start = agent.get("/v1/events?after=0");
  REQUIRE(start.status == 200);
  const std::uint64_t after = start.json().at("next_after");

  TempDir dir;
  const std::string batch = dir.path() + "/flaps";
  constexpr int kFlaps = 20;
  constexpr int kRounds = 4;
  {
    std::ofstream out(batch);
    for (int i = 0; i < kFlaps; ++i) out << "link set dev mxb0 down\nlink set dev mxb0 up\n";
  }
  const std::int64_t before = now_realtime_ns();
  for (int round = 0; round < kRounds; ++round) {
    net.ip(b, "-batch " + batch);
    std::this_thread::sleep_for(300ms);
  }
  // Bounded wait until the last change (carrier back up) is journaled and anything late is in.
  std::vector<json> events;
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(100ms);
    events = carrier_events(agent, after);
    if (!events.empty() && events.back().at("kind") == "link_up") break;
  }
  std::this_thread::sleep_for(300ms);
  events = carrier_events(agent, after);
  const std::int64_t read_ns = now_realtime_ns();

  REQUIRE_FALSE(events.empty());
  CHECK(events.back().at("kind") == "link_up");
  // Not checked: events.size() <= the changes made. A netlink message read after the poller has
  // already journaled that change and the next one still says the older state (netlink carries no
  // kernel time), so it re-journals a link_down / link_up pair (seen: 168 events for 160 changes).
  std::map<std::string, int> sources;
  for (std::size_t k = 0; k < events.size(); ++k) {
    INFO("event " << k << ": " << events[k].dump() << (k > 0 ? "; before it: " + events[k - 1].dump() : ""));
    CHECK(events[k].at("kind") == (k % 2 == 0 ? "link_down" : "link_up"));
    const std::int64_t t = events[k].at("time_ns");
    CHECK(t >= before);
    CHECK(t <= read_ns);
    // One netlink read can hold two messages (one stamp); otherwise every change is later.
    if (k > 0) CHECK(t >= events[k - 1].at("time_ns").get<std::int64_t>());
    ++sources[events[k].at("source").get<std::string>()];
  }
  std::string seen;
  for (const auto& [source, n] : sources) seen += source + ": " + std::to_string(n) + " ";
  INFO("carrier events: " << events.size() << " for " << 2 * kFlaps * kRounds << " changes; " << seen);
  for (const auto& [source, n] : sources) CHECK((source == "carrier-poll" || source == "netlink"));
}

namespace {

// mixnet_agent_carrier_poll_reads_total from the agent's /metrics.
std::uint64_t carrier_poll_reads(AgentProcess& agent) {
  const std::string metrics = agent.get("/metrics").body;
  const std::string name = "mixnet_agent_carrier_poll_reads_total ";
  const auto at = metrics.find("\n" + name);
  REQUIRE(at != std::string::npos);
  return std::stoull(metrics.substr(at + 1 + name.size()));
}

}  // namespace

TEST_CASE("carrier polling reads nothing until armed, then only for its window and its ports", "[integration][agent][events]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  net.add_veth(a, "mxa1", b, "mxb1");
  AgentProcess agent(net, a, "host-a", "mxa*", {"--carrier-poll-us", "1000"});

  // Idle: not one reading.
  std::this_thread::sleep_for(300ms);
  CHECK(carrier_poll_reads(agent) == 0);

  // Refusals name the field.
  auto no_window = agent.post("/v1/carrier/poll", R"({"ports": ["mxa0"]})");
  CHECK(no_window.status == 400);
  CHECK(no_window.json().at("error").at("field") == "duration_ms");
  auto too_long = agent.post("/v1/carrier/poll", R"({"duration_ms": 600001})");
  CHECK(too_long.status == 400);
  CHECK(too_long.json().at("error").at("field") == "duration_ms");
  auto unknown = agent.post("/v1/carrier/poll", R"({"duration_ms": 100, "ports": ["mxa0", "eth9"]})");
  CHECK(unknown.status == 404);
  CHECK(unknown.json().at("error").at("field") == "ports[1]");
  auto stray = agent.post("/v1/carrier/poll", R"({"duration_ms": 100, "port": "mxa0"})");
  CHECK(stray.status == 400);
  CHECK(carrier_poll_reads(agent) == 0);

  // Armed for one port and 400 ms: it reads that port (about once a millisecond), then stops.
  const std::int64_t asked = now_realtime_ns();
  auto armed = agent.post("/v1/carrier/poll", R"({"duration_ms": 400, "ports": ["mxa1"]})");
  REQUIRE(armed.status == 200);
  CHECK(armed.json().at("ports") == json::array({"mxa1"}));
  CHECK(armed.json().at("period_us") == 1000);
  CHECK(armed.json().at("until_ns").get<std::int64_t>() >= asked + 400'000'000);
  std::this_thread::sleep_for(900ms);
  const std::uint64_t after_window = carrier_poll_reads(agent);
  CHECK(after_window > 0);
  CHECK(after_window <= 402);   // one port, one reading a period: 400 periods (and the one at each end) at most
  std::this_thread::sleep_for(300ms);
  CHECK(carrier_poll_reads(agent) == after_window);

  // Every port it follows when none is named.
  auto all = agent.post("/v1/carrier/poll", R"({"duration_ms": 100})");
  REQUIRE(all.status == 200);
  CHECK(all.json().at("ports") == json::array({"mxa0", "mxa1"}));
}

TEST_CASE("an agent without --carrier-poll-us says so when asked to poll", "[integration][agent][events]") {
  NetnsFixture net;
  const auto a = net.add_namespace();
  const auto b = net.add_namespace();
  net.add_veth(a, "mxa0", b, "mxb0");
  AgentProcess agent(net, a, "host-a", "mxa0");
  auto off = agent.post("/v1/carrier/poll", R"({"duration_ms": 1000})");
  CHECK(off.status == 503);
  CHECK_THAT(off.json().at("error").at("message").get<std::string>(), Catch::Contains("--carrier-poll-us"));
}

TEST_CASE("netlink is read by a thread of its own at the stamping priority: events stay whole and in order while the API is busy",
          "[integration][agent][events]") {
  NetnsFixture net;
  const auto [a, b] = cabled_namespaces(net);
  AgentProcess agent(net, a, "host-a", "mxa0", {"--stamp-priority", "10"});

  // One reader, named, at SCHED_FIFO 10 like the other stamping threads (this test runs as root).
  const auto readers = agent_threads_named(agent, "mx-netlink");
  REQUIRE(readers.size() == 1);
  CHECK(sched_getscheduler(readers[0]) == SCHED_FIFO);
  sched_param param{};
  REQUIRE(sched_getparam(readers[0], &param) == 0);
  CHECK(param.sched_priority == 10);

  // A client keeps the API thread busy (bounded) while the far end flaps: the link events are read
  // and stamped on their own thread and journaled once each, in order.
  std::atomic<bool> stop{false};
  auto busy = std::async(std::launch::async, [&agent, &stop] {
    int ok = 0;
    for (int i = 0; i < 5000 && !stop.load(); ++i) {
      if (agent.get("/v1/inventory").status == 200) ++ok;
    }
    return ok;
  });
  const std::uint64_t after = agent.get("/v1/events?after=0").json().at("next_after");
  const auto flips = flap_far_end(net, agent, b, 3, after);
  stop.store(true);
  CHECK(busy.get() > 0);
  const auto sources = check_one_event_per_flip(flips, carrier_events(agent, after));
  CHECK(sources.at("netlink") == 6);
  CHECK(agent.get("/metrics").body.find("mixnet_agent_link_monitor_overruns_total 0") != std::string::npos);
}
