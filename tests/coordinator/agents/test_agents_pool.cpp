// The agent pool against agent doubles on 127.0.0.1: batches run in parallel and each host gets
// its own outcome; retries, deadlines and API errors; the event cursor (long-poll, restart,
// dropped events); a measurement's own journal reader beside the pool's cursor.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/journal_reader.hpp"
#include "coordinator/model/inventory.hpp"
#include "tests/coordinator/support/fake_agent.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using mixnet::testing::FakeAgent;
using mixnet::testing::fake_port_info;
using namespace std::chrono_literals;

namespace {

// A 127.0.0.1 port nothing listens on: connections are refused at once.
unsigned short dead_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

AgentPoolOptions quick(int attempts = 3) {
  AgentPoolOptions o;
  o.request_timeout = 3000ms;
  o.connect_timeout = 1000ms;
  o.attempts = attempts;
  o.backoff = 10ms;
  return o;
}

}  // namespace

TEST_CASE("a batch reaches every agent at once, a dead agent fails its own entry only", "[unit][agents]") {
  FakeAgent a("agent-a", "tok-a"), b("agent-b", "tok-b"), c("agent-c", "tok-c");
  // Each agent answers health only once all three requests have arrived: a client that asked
  // one agent after the other would time out on the first.
  auto arrivals = std::make_shared<std::atomic<int>>(0);
  for (FakeAgent* f : {&a, &b, &c}) f->hold_until("/v1/health", arrivals, 3);

  AgentPool pool({{.host = "h1", .url = a.url() + "/", .token = "tok-a"},
                  {.host = "h2", .url = b.url(), .token = "tok-b"},
                  {.host = "dead", .url = "http://127.0.0.1:" + std::to_string(dead_port()), .token = "x"},
                  {.host = "h3", .url = c.url(), .token = "tok-c"}},
                 quick());
  CHECK(pool.hosts() == std::vector<std::string>{"dead", "h1", "h2", "h3"});

  const auto replies = pool.health({"h1", "h2", "dead", "h3"});
  REQUIRE(replies.size() == 4);
  CHECK(replies[0].host == "h1");
  REQUIRE(replies[0].ok());
  CHECK(replies[0].value->host_id == "agent-a");
  REQUIRE(replies[1].ok());
  CHECK(replies[1].value->host_id == "agent-b");
  REQUIRE(replies[3].ok());
  CHECK(replies[3].value->host_id == "agent-c");
  CHECK(replies[0].sent_ns > 0);
  CHECK(replies[0].done_ns >= replies[0].sent_ns);

  REQUIRE_FALSE(replies[2].ok());
  CHECK(replies[2].host == "dead");
  CHECK(replies[2].value.error().code == Errc::unavailable);
  CHECK(replies[2].value.error().cause == Cause::unspecified);   // not reached: no HTTP status
  CHECK(replies[2].value.error().message.rfind("dead: ", 0) == 0);
  CHECK(replies[2].value.error().message.find("after 3 attempts") != std::string::npos);

  // The pool learned each agent's host id.
  CHECK(pool.host_for_agent_id("agent-b") == "h2");
  CHECK(pool.host_for_agent_id("nobody").empty());

  // The token goes with every request.
  REQUIRE(pool.inventory({"h1"})[0].ok());
  CHECK(a.last_authorization() == "Bearer tok-a");
}

TEST_CASE("idempotent requests are retried on 503, others are not sent twice", "[unit][agents]") {
  FakeAgent a("agent-a", "t");
  AgentPool pool({{.host = "h1", .url = a.url(), .token = "t"}}, quick(3));

  a.fail_next("/v1/inventory", 2, 503);
  auto ok = pool.inventory({"h1"});
  REQUIRE(ok[0].ok());
  CHECK(a.requests("/v1/inventory") == 3);

  a.fail_next("/v1/inventory", 3, 503);
  auto failed = pool.inventory({"h1"});
  REQUIRE_FALSE(failed[0].ok());
  CHECK(failed[0].value.error().code == Errc::unavailable);
  CHECK(failed[0].value.error().message.find("HTTP 503") != std::string::npos);
  CHECK(failed[0].value.error().cause == Cause::http_status);   // reached: the agent answered
  CHECK(a.requests("/v1/inventory") == 6);

  // A request that reached the agent and is not idempotent is answered once, failure or not.
  a.fail_next("/v1/probes", 1, 503);
  auto once = pool.call_all({AgentCall{.host = "h1", .method = "POST", .target = "/v1/probes", .body = "{}", .idempotent = false}});
  REQUIRE_FALSE(once[0].ok());
  CHECK(a.requests("/v1/probes") == 1);
}

TEST_CASE("a slow agent runs into its deadline without holding up the others", "[unit][agents]") {
  FakeAgent slow("slow", "t"), fast("fast", "t");
  slow.delay("/v1/clock", 2000ms);
  AgentPoolOptions o = quick(1);
  o.request_timeout = 300ms;
  AgentPool pool({{.host = "slow", .url = slow.url(), .token = "t"}, {.host = "fast", .url = fast.url(), .token = "t"}}, o);
  const auto r = pool.clock({"slow", "fast"});
  REQUIRE_FALSE(r[0].ok());
  CHECK(r[0].value.error().code == Errc::timeout);
  REQUIRE(r[1].ok());
  CHECK(r[1].value->round_trip_ns() > 0);  // a real request took time
  CHECK(r[1].value->agent_ns > 0);
  CHECK(pool.clock_offset_ns("fast").has_value());
  CHECK_FALSE(pool.clock_offset_ns("slow").has_value());
}

TEST_CASE("agent API errors come back per entry, naming the field", "[unit][agents]") {
  FakeAgent a("agent-a", "t");
  a.set_ports({fake_port_info("ocs0", true)});
  AgentPool pool({{.host = "h1", .url = a.url(), .token = "t"},
                  {.host = "broken", .url = a.url(), .broken = Error{Errc::io, "token file /x/tok: No such file or directory", {}}}},
                 quick());
  auto ports = pool.port({{"h1", "ocs0"}, {"h1", "nope0"}, {"broken", "ocs0"}, {"ghost", "ocs0"}});
  REQUIRE(ports[0].ok());
  CHECK(ports[0].value->carrier);
  REQUIRE_FALSE(ports[1].ok());
  CHECK(ports[1].value.error().code == Errc::not_found);
  CHECK(ports[1].value.error().field == "name");
  REQUIRE_FALSE(ports[2].ok());
  CHECK(ports[2].value.error().message == "broken: token file /x/tok: No such file or directory");
  REQUIRE_FALSE(ports[3].ok());
  CHECK(ports[3].value.error().message.find("no such host") != std::string::npos);

  wire::ConfigureRequest bad;
  bad.mtu = 70000;
  wire::ConfigureRequest good;
  good.mtu = 9000;
  auto configured = pool.configure({{"h1", "ocs0", bad}, {"h1", "ocs0", good}});
  REQUIRE_FALSE(configured[0].ok());
  CHECK(configured[0].value.error().field == "mtu");
  REQUIRE(configured[1].ok());
  CHECK(configured[1].value->applied == std::vector<std::string>{"mtu 9000"});
  CHECK(configured[1].value->port.mtu == 9000);
}

TEST_CASE("the event cursor: catch up, long-poll wakes on a new event, link table follows", "[unit][agents]") {
  FakeAgent a("agent-a", "t");
  a.set_ports({fake_port_info("ocs0", false), fake_port_info("ocs1", false)});
  a.push_event("link_up", "ocs0", true);
  a.push_event("link_down", "ocs0", false);
  AgentPool pool({{.host = "h1", .url = a.url(), .token = "t"}}, quick());

  auto caught = pool.catch_up_events({"h1"}, monotonic_ns() + 5'000'000'000);
  REQUIRE(caught[0].ok());
  CHECK(*caught[0].value == 2);
  const auto* table = pool.link_table("h1");
  REQUIRE(table != nullptr);
  REQUIRE(table->find("ocs0") != nullptr);
  CHECK_FALSE(table->find("ocs0")->carrier);
  CHECK(table->find("ocs0")->link_up_ns > 0);

  // Nothing new: a second catch-up reads nothing.
  CHECK(*pool.catch_up_events({"h1"}, monotonic_ns() + 5'000'000'000)[0].value == 0);

  std::thread pusher([&] {
    std::this_thread::sleep_for(50ms);
    a.push_event("link_up", "ocs1", true);
  });
  std::vector<EventsDelivery> seen;
  bool got = false;
  pool.watch_events("h1", 10'000ms, [&](const EventsDelivery& d) {
    seen.push_back(d);
    got = d.page && !d.page->events.empty();
    return !got;
  });
  pool.run(monotonic_ns() + 10'000'000'000, [&] { return got; });
  pusher.join();
  REQUIRE(got);
  const auto& page = *seen.back().page;
  REQUIRE(page.events.size() == 1);
  CHECK(page.events[0].port == "ocs1");
  CHECK(page.events[0].seq == 3);
  CHECK(table->find("ocs1")->up());
  CHECK(a.requests("/v1/events") >= 3);
  pool.unwatch_all();
}

TEST_CASE("the event cursor notices an agent restart both ways, and dropped events", "[unit][agents]") {
  FakeAgent a("agent-a", "t");
  a.set_ports({fake_port_info("ocs0", false)});
  for (int i = 0; i < 3; ++i) a.push_event(i % 2 == 0 ? "link_up" : "link_down", "ocs0", i % 2 == 0);
  AgentPool pool({{.host = "h1", .url = a.url(), .token = "t"}}, quick());
  REQUIRE(pool.catch_up_events({"h1"}, monotonic_ns() + 5'000'000'000)[0].ok());
  const std::int64_t old_up = pool.link_table("h1")->find("ocs0")->link_up_ns;
  CHECK(old_up > 0);

  // Restarted with fewer events than our cursor: the agent refuses `after` (400) and the pool
  // starts over from the new journal's beginning.
  a.restart();
  a.push_event("link_up", "ocs0", true);
  std::vector<EventsDelivery> seen;
  auto watch = pool.watch_events("h1", 2000ms, [&](const EventsDelivery& d) {
    seen.push_back(d);
    return !(d.page && !d.page->events.empty());
  });
  pool.run(monotonic_ns() + 10'000'000'000, [&] { return !seen.empty() && seen.back().page && !seen.back().page->events.empty(); });
  pool.unwatch(watch);
  REQUIRE(seen.size() >= 2);
  CHECK(seen.front().restarted);
  CHECK(seen.back().page->instance == a.instance());
  CHECK(seen.back().page->events.front().seq == 1);
  CHECK(pool.link_table("h1")->find("ocs0")->up());

  // Restarted with more events than our cursor: the instance name gives it away.
  a.restart();
  for (int i = 0; i < 4; ++i) a.push_event("link_up", "ocs0", true);
  seen.clear();
  watch = pool.watch_events("h1", 2000ms, [&](const EventsDelivery& d) {
    seen.push_back(d);
    return !(d.page && !d.restarted && !d.page->events.empty());
  });
  pool.run(monotonic_ns() + 10'000'000'000, [&] {
    return !seen.empty() && !seen.back().restarted && seen.back().page && !seen.back().page->events.empty();
  });
  pool.unwatch(watch);
  REQUIRE(seen.size() >= 2);
  CHECK(seen.front().restarted);
  CHECK(seen.back().page->events.size() == 4);   // the whole new journal, read from its start

  // Events dropped before we read them are reported.
  for (int i = 0; i < 5; ++i) a.push_event("link_down", "ocs0", false);
  a.drop_events_through(7);
  REQUIRE(pool.catch_up_events({"h1"}, monotonic_ns() + 5'000'000'000)[0].ok());
  REQUIRE(pool.last_events_cursor("h1"));
  CHECK(pool.last_events_cursor("h1")->missed == 3);
  CHECK_FALSE(pool.link_table("h1")->find("ocs0")->carrier);
}

TEST_CASE("the pool follows a journal from one step to the next: listeners come and go, the long-poll and its connection stay", "[unit][agents]") {
  FakeAgent a("agent-a", "t");
  a.set_ports({fake_port_info("ocs0", false)});
  AgentPool pool({{.host = "h1", .url = a.url(), .token = "t"}}, quick());
  const auto later = [] { return monotonic_ns() + 10'000'000'000; };

  // Step 1: catch up, read the inventory, listen until the port comes up.
  REQUIRE(pool.catch_up_events({"h1"}, later())[0].ok());
  REQUIRE(pool.inventory({"h1"}, later())[0].ok());
  CHECK_FALSE(pool.following("h1"));
  REQUIRE(pool.managed_ports("h1") != nullptr);
  CHECK(pool.managed_ports("h1")->contains("ocs0"));
  int step1_pages = 0;
  const auto first = pool.listen_events("h1", [&](const EventsDelivery& d) {
    if (d.page && !d.page->events.empty()) ++step1_pages;
  });
  a.push_event("link_up", "ocs0", true);
  pool.run(later(), [&] { return step1_pages > 0; });
  REQUIRE(step1_pages == 1);
  REQUIRE(pool.health({"h1"}, later())[0].ok());   // beside the long-poll: a second connection
  pool.unlisten(first);
  CHECK(pool.following("h1"));
  const std::uint64_t connections = a.connections();
  CHECK(connections == 2);

  // Between steps nobody drives the pool; the agent answers the long-poll all the same, and the
  // next step finds the page waiting on the open connection.
  a.push_event("link_down", "ocs0", false);
  int step2_pages = 0;
  bool down = false;
  const auto second = pool.listen_events("h1", [&](const EventsDelivery& d) {
    if (d.page && !d.page->events.empty()) ++step2_pages;
    down = !pool.link_table("h1")->find("ocs0")->carrier;
  });
  pool.run(later(), [&] { return down; });
  CHECK(down);
  CHECK(step2_pages >= 1);
  CHECK(step1_pages == 1);   // the first listener heard nothing after it left
  // A batch beside the long-poll reuses the connection the first step's reads opened.
  REQUIRE(pool.health({"h1"}, later())[0].ok());
  pool.unlisten(second);
  CHECK(a.connections() == connections);
  CHECK(pool.following("h1"));
  // Stopping every watch stops the follow too; the next listener starts it again.
  pool.unwatch_all();
  CHECK_FALSE(pool.following("h1"));
  const auto third = pool.listen_events("h1", [](const EventsDelivery&) {});
  CHECK(pool.following("h1"));
  pool.unlisten(third);
}

TEST_CASE("a followed journal whose agent dies: the failure reaches the listener and the follow stops", "[unit][agents]") {
  auto a = std::make_unique<FakeAgent>("agent-a", "t");
  a->set_ports({fake_port_info("ocs0", true)});
  AgentPool pool({{.host = "h1", .url = a->url(), .token = "t"}}, quick(1));
  REQUIRE(pool.catch_up_events({"h1"}, monotonic_ns() + 5'000'000'000)[0].ok());
  std::vector<EventsDelivery> seen;
  pool.listen_events("h1", [&](const EventsDelivery& d) { seen.push_back(d); });
  pool.run(monotonic_ns() + 200'000'000);   // the long-poll is in flight
  CHECK(pool.following("h1"));
  a.reset();   // the agent goes: its connection closes, a new one is refused
  pool.run(monotonic_ns() + 10'000'000'000, [&] { return !seen.empty(); });
  REQUIRE(seen.size() == 1);   // one failed poll is tried again; the second is delivered
  CHECK_FALSE(seen[0].page.has_value());
  CHECK_FALSE(pool.following("h1"));
}

TEST_CASE("connections to many agents live from one batch to the next", "[unit][agents]") {
  // libcurl's default cache keeps four connections per transfer still running, so the end of a
  // batch used to close the connections of the hosts that answered first.
  std::vector<std::unique_ptr<FakeAgent>> agents;
  std::vector<AgentEndpoint> endpoints;
  std::vector<std::string> hosts;
  for (int i = 0; i < 8; ++i) {
    agents.push_back(std::make_unique<FakeAgent>("agent-" + std::to_string(i), "t"));
    hosts.push_back("h" + std::to_string(i));
    endpoints.push_back({.host = hosts.back(), .url = agents.back()->url(), .token = "t"});
  }
  AgentPool pool(endpoints, quick());
  for (int round = 0; round < 3; ++round) {
    for (const auto& r : pool.health(hosts, monotonic_ns() + 10'000'000'000)) REQUIRE(r.ok());
  }
  for (const auto& a : agents) CHECK(a->connections() == 1);
}

TEST_CASE("make_agent_pool reads token files, a bad one breaks only its host", "[unit][agents]") {
  FakeAgent a("agent-a", "secret-a");
  char tmpl[] = "/tmp/mixnet-pool-test-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  std::ofstream(dir + "/tok") << "  secret-a  \n";
  std::ofstream(dir + "/empty") << "\n";
  std::ofstream(dir + "/open") << "secret-a\n";
  // Token files are owner-only; "open" shows what a file others may read does.
  REQUIRE(::chmod((dir + "/tok").c_str(), 0600) == 0);
  REQUIRE(::chmod((dir + "/empty").c_str(), 0600) == 0);
  REQUIRE(::chmod((dir + "/open").c_str(), 0644) == 0);
  const std::string yaml = "version: 1\nname: t\nhosts:\n"
                           "  - name: h1\n    agent: {url: " + a.url() + ", token_file: tok}\n    ports: []\n"
                           "  - name: h2\n    agent: {url: " + a.url() + ", token_file: missing}\n    ports: []\n"
                           "  - name: h3\n    agent: {url: " + a.url() + ", token_file: empty}\n    ports: []\n"
                           "  - name: h4\n    agent: {url: " + a.url() + ", token_file: open}\n    ports: []\n"
                           "switches: []\n";
  auto inv = parse_inventory(yaml, "inv.yaml", dir);
  INFO((inv ? std::string() : inv.error().describe()));
  REQUIRE(inv);
  auto pool = make_agent_pool(*inv, quick());
  REQUIRE(pool);
  auto r = (*pool)->inventory({"h1", "h2", "h3", "h4"});
  REQUIRE(r[0].ok());
  CHECK(a.last_authorization() == "Bearer secret-a");
  REQUIRE_FALSE(r[1].ok());
  CHECK(r[1].value.error().message.find(dir + "/missing") != std::string::npos);
  REQUIRE_FALSE(r[2].ok());
  CHECK(r[2].value.error().message.find("is empty") != std::string::npos);
  REQUIRE_FALSE(r[3].ok());
  CHECK(r[3].value.error().code == Errc::insecure_file);
  CHECK(r[3].value.error().message.find(dir + "/open: mode 0644") != std::string::npos);

  inv->hosts[0].agent.url = "ftp://x";
  auto bad = make_agent_pool(*inv, quick());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().field == "hosts[0].agent.url");
  const std::string cleanup = "rm -rf '" + dir + "'";
  CHECK(std::system(cleanup.c_str()) == 0);
}

TEST_CASE("a measurement's journal reader keeps its own cursor, after its mark a restart or a gap is an error", "[unit][agents]") {
  FakeAgent a("agent-a", "t");
  a.set_ports({fake_port_info("ocs0", false)});
  a.push_event("link_up", "ocs0", true);
  AgentPool pool({{.host = "h1", .url = a.url(), .token = "t"}}, quick());
  const auto deadline = [] { return monotonic_ns() + 5'000'000'000; };

  JournalReader reader(pool);
  REQUIRE(reader.mark({"h1"}, deadline()));   // skips the event already there
  a.push_event("link_down", "ocs0", false);
  a.push_event("link_up", "ocs0", true);
  // The pool's link tables read the same journal through their own cursor: the reader still
  // sees every event since its mark.
  REQUIRE(*pool.catch_up_events({"h1"}, deadline())[0].value == 3);
  auto got = reader.read({"h1"}, deadline());
  REQUIRE(got);
  REQUIRE(got->at("h1").size() == 2);
  CHECK(got->at("h1")[0].kind == "link_down");
  CHECK(reader.read({"h1"}, deadline())->at("h1").empty());

  // Events dropped after the mark, before the reader read them: a hole in the measurement.
  for (int i = 0; i < 3; ++i) a.push_event("link_down", "ocs0", false);
  a.drop_events_through(4);
  auto gap = reader.read({"h1"}, deadline());
  REQUIRE_FALSE(gap);
  CHECK(gap.error().message.find("dropped") != std::string::npos);

  // A restarted agent (a new instance): its sequence numbers mean nothing to the cursor.
  JournalReader fresh(pool);
  REQUIRE(fresh.mark({"h1"}, deadline()));
  a.restart();
  for (int i = 0; i < 8; ++i) a.push_event("link_up", "ocs0", true);
  auto restarted = fresh.read({"h1"}, deadline());
  REQUIRE_FALSE(restarted);
  CHECK(restarted.error().code == Errc::io);
}
