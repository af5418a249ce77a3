// Traffic tests between two real agents in namespaces joined by veth pairs: the bytes a run
// reports really crossed the chosen port (the kernel's counters say so, and the other port stayed
// quiet), byte-count and duration modes, several streams, the receiver's copy and discard sinks,
// timeline mode across a carrier outage (with and without a reconnect), a timeline client started
// while its port is still dark,
// traffic threads at normal priority under a real-time agent, cancellation, and the API's refusals.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sched.h>
#include <thread>
#include <tuple>

#include "tests/support/agent_process.hpp"

using namespace mixnet::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Two hosts, two cables: a0 <-> b0 on 198.18.30.0/24 and a1 <-> b1 on 198.18.31.0/24.
struct TwoHosts {
  NetnsFixture net;
  std::string a = net.add_namespace();
  std::string b = net.add_namespace();
  TwoHosts() {
    // Fresh namespaces number their first veth ends alike, which makes the kernel treat carrier
    // changes as non-urgent (delayed up to 1 s); a spare pair on one side avoids that.
    net.ip(b, "link add mxpad0 type veth peer name mxpad1");
    net.add_veth(a, "mxa0", b, "mxb0");
    net.add_veth(a, "mxa1", b, "mxb1");
    net.ip(a, "addr add 198.18.30.1/24 dev mxa0");
    net.ip(b, "addr add 198.18.30.2/24 dev mxb0");
    net.ip(a, "addr add 198.18.31.1/24 dev mxa1");
    net.ip(b, "addr add 198.18.31.2/24 dev mxb1");
  }
};

struct Counters {
  std::uint64_t tx = 0;
  std::uint64_t rx = 0;
};

// The kernel's own byte counters for a port: the independent witness.
Counters counters(NetnsFixture& net, const std::string& ns, const std::string& dev) {
  const json link = net.ip_json(ns, "-s link show dev " + dev).at(0);
  return Counters{.tx = link.at("stats64").at("tx").at("bytes"), .rx = link.at("stats64").at("rx").at("bytes")};
}

json post_json(const AgentProcess& agent, const std::string& target, const json& body, unsigned expect) {
  auto r = agent.post(target, body.dump());
  INFO(target << " " << body.dump() << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == expect);
  return r.json();
}

json get_run(const AgentProcess& agent, const std::string& id, bool bins = true) {
  auto r = agent.get("/v1/traffic/runs/" + id + (bins ? "" : "?bins=0"));
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json();
}

bool finished(const json& run) {
  const std::string s = run.at("state");
  return s == "done" || s == "failed" || s == "cancelled";
}

// Long-polls (bounded) until the run has finished; returns its last report with its bins.
json wait_finished(const AgentProcess& agent, const std::string& id, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  json run = get_run(agent, id);
  while (!finished(run) && std::chrono::steady_clock::now() < deadline) {
    auto r = agent.get("/v1/traffic/runs/" + id + "?bins=0&wait_ms=1000");
    INFO(r.body);
    REQUIRE(r.status == 200);
    if (finished(r.json())) run = get_run(agent, id);
  }
  return run;
}

json start_server(const AgentProcess& agent, json body) {
  return post_json(agent, "/v1/traffic/servers", body, 201);
}

json start_client(const AgentProcess& agent, json body) { return post_json(agent, "/v1/traffic/runs", body, 201); }

std::uint64_t sum_bins(const json& run) {
  std::uint64_t sum = 0;
  for (const auto& b : run.at("timeline").at("bins")) sum += b.get<std::uint64_t>();
  return sum;
}

// Index of the first bin with data, or the bin count when there is none.
std::size_t first_data_bin(const json& run) {
  const auto& bins = run.at("timeline").at("bins");
  std::size_t i = 0;
  while (i < bins.size() && bins[i].get<std::uint64_t>() == 0) ++i;
  return i;
}

std::size_t last_data_bin(const json& run) {
  const auto& bins = run.at("timeline").at("bins");
  std::size_t last = 0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    if (bins[i].get<std::uint64_t>() != 0) last = i;
  }
  return last;
}

bool has_event(const json& run, const std::string& kind, const std::string& detail_part = {}) {
  for (const auto& e : run.at("events")) {
    if (e.at("kind") == kind && e.value("detail", std::string()).find(detail_part) != std::string::npos) return true;
  }
  return false;
}

struct ThreadPolicy {
  std::string name;
  int policy = -1;
};

// The threads of a process whose name starts with `prefix`, with their scheduling policy.
std::vector<ThreadPolicy> threads_named(pid_t pid, const std::string& prefix) {
  std::vector<ThreadPolicy> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind(prefix, 0) != 0) continue;
    out.push_back({name, sched_getscheduler(std::stoi(task.path().filename().string()))});
  }
  return out;
}

}  // namespace

TEST_CASE("a read with wait_ms is answered when the run ends, not when the wait runs out", "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}});
  const std::string id = start_client(a, {{"port", "mxa0"}, {"peer", "198.18.30.2"},
                                          {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")}, {"duration_ms", 3000}})
                             .at("id");

  // Unfinished at the bound: the reply comes after the wait, with the run still going.
  auto t0 = std::chrono::steady_clock::now();
  auto early = a.get("/v1/traffic/runs/" + id + "?wait_ms=300");
  REQUIRE(early.status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 >= 300ms);
  CHECK_FALSE(finished(early.json()));

  // Long enough: answered at the run's end (about 3 s from its start), far before the 30 s bound.
  t0 = std::chrono::steady_clock::now();
  auto r = a.get("/v1/traffic/runs/" + id + "?wait_ms=30000");
  const auto waited = std::chrono::steady_clock::now() - t0;
  REQUIRE(r.status == 200);
  INFO(r.body);
  CHECK(r.json().at("state") == "done");
  CHECK(waited < 20s);
  // The server's run ends right after its client's: its long-poll returns too.
  auto s = b.get("/v1/traffic/runs/" + server.at("id").get<std::string>() + "?wait_ms=30000");
  REQUIRE(s.status == 200);
  CHECK(s.json().at("state") == "done");

  // A finished run, an unknown run and a bad bound answer at once.
  t0 = std::chrono::steady_clock::now();
  CHECK(a.get("/v1/traffic/runs/" + id + "?wait_ms=30000").status == 200);
  CHECK(a.get("/v1/traffic/runs/tr-999?wait_ms=30000").status == 404);
  CHECK(std::chrono::steady_clock::now() - t0 < 20s);
  auto bad = a.get("/v1/traffic/runs/" + id + "?wait_ms=30001");
  CHECK(bad.status == 400);
  CHECK(bad.json().at("error").at("field") == "wait_ms");
}

TEST_CASE("a client given start_at_ns connects at once and sends from that instant, and its server counts from the first byte",
          "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}});
  const std::string server_id = server.at("id");
  const auto now_ns = [] { return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count(); };

  // Too far ahead of the agent's clock: refused, naming the field.
  auto far = a.post("/v1/traffic/runs", json{{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")},
                                              {"duration_ms", 500}, {"start_at_ns", now_ns() + 120'000'000'000}}
                                             .dump());
  CHECK(far.status == 400);
  CHECK(far.json().at("error").at("field") == "start_at_ns");

  const std::int64_t start_at = now_ns() + 1'500'000'000;   // all lab namespaces share one clock
  const std::string id = start_client(a, {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")},
                                          {"duration_ms", 500}, {"start_at_ns", start_at}})
                             .at("id");
  // Before the instant: connected, nothing sent, nothing counted.
  json early_server;
  for (int i = 0; i < 50; ++i) {
    early_server = get_run(b, server_id, false);
    if (has_event(early_server, "connected")) break;
    std::this_thread::sleep_for(20ms);
  }
  if (now_ns() < start_at - 200'000'000) {   // a machine too busy to look in time proves nothing either way
    CHECK(has_event(early_server, "connected"));
    CHECK(early_server.at("bytes") == 0);
    CHECK(early_server.at("start_ns") == 0);
    CHECK(get_run(a, id, false).at("bytes") == 0);
  }
  const json client = wait_finished(a, id);
  const json srv = wait_finished(b, server_id);
  INFO(client.dump() << "\n" << srv.dump());
  REQUIRE(client.at("state") == "done");
  REQUIRE(srv.at("state") == "done");
  CHECK(client.at("start_ns").get<std::int64_t>() >= start_at);
  CHECK(srv.at("start_ns").get<std::int64_t>() >= start_at);
  CHECK(client.at("bytes").get<std::uint64_t>() > 0);
  CHECK(client.at("bytes_confirmed") == client.at("bytes"));
  // The server's rate is over its sending time, not over the wait before it.
  CHECK(srv.at("seconds").get<double>() < 1.2);
}

TEST_CASE("a client that starts after its instant ends at the instant plus its duration, sending half of it at least",
          "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}});
  const auto now_ns = [] { return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count(); };
  // Its round started 1.5 s ago (a host that woke late): of its 4 s it has 2.5 s left, so it
  // ends with the others of its round instead of 1.5 s after them.
  const std::string id = start_client(a, {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", server.at("tcp_port")},
                                          {"secret", server.at("secret")}, {"duration_ms", 4000},
                                          {"start_at_ns", now_ns() - 1'500'000'000}})
                             .at("id");
  const json client = wait_finished(a, id);
  INFO(client.dump());
  REQUIRE(client.at("state") == "done");
  CHECK(client.at("bytes").get<std::uint64_t>() > 0);
  // Sent for what was left of its round (2.5 s; at least half its duration), then the receipt.
  CHECK(client.at("seconds").get<double>() >= 2.0);
  CHECK(client.at("seconds").get<double>() < 3.5);
}

TEST_CASE("a traffic run crosses the chosen port, and the bytes it reports are the bytes delivered",
          "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");

  // Port 1 of each host, not port 0: the run must go where it is told.
  const json server = start_server(b, {{"port", "mxb1"}});
  CHECK(server.at("role") == "server");
  CHECK(server.at("local_address") == "198.18.31.2");
  CHECK(server.at("state") == "starting");
  const std::uint16_t tcp_port = server.at("tcp_port");
  REQUIRE(tcp_port != 0);

  const Counters a0 = counters(h.net, h.a, "mxa0"), a1 = counters(h.net, h.a, "mxa1");
  const Counters b0 = counters(h.net, h.b, "mxb0"), b1 = counters(h.net, h.b, "mxb1");

  const json started = start_client(a, {{"port", "mxa1"}, {"peer", "198.18.31.2"}, {"peer_tcp_port", tcp_port}, {"secret", server.at("secret")},
                                        {"streams", 2}, {"duration_ms", 1500}, {"interval_ms", 250}});
  CHECK(started.at("role") == "client");
  CHECK(started.at("local_address") == "198.18.31.1");
  const std::string id = started.at("id");

  const json client = wait_finished(a, id);
  const json srv = wait_finished(b, server.at("id"));
  INFO(client.dump() << "\n" << srv.dump());
  REQUIRE(client.at("state") == "done");
  REQUIRE(srv.at("state") == "done");

  const std::uint64_t bytes = client.at("bytes");
  CHECK(bytes > 1'000'000);
  CHECK(client.at("bytes_confirmed") == bytes);  // the server's receipts add up to what was sent
  CHECK(srv.at("bytes") == bytes);
  CHECK(client.at("errors").empty());
  CHECK(srv.at("peer") == "198.18.31.1");
  CHECK(srv.at("streams") == 2);

  // Per stream: both carried data, one connection each, and they add up.
  REQUIRE(client.at("per_stream").size() == 2);
  std::uint64_t per_stream = 0;
  for (const auto& s : client.at("per_stream")) {
    CHECK(s.at("bytes").get<std::uint64_t>() > 0);
    CHECK(s.at("connections") == 1);
    CHECK_FALSE(s.contains("error"));
    per_stream += s.at("bytes").get<std::uint64_t>();
  }
  CHECK(per_stream == bytes);

  // Intervals cover every byte; total Gb/s is bytes * 8 / seconds / 1e9.
  std::uint64_t in_intervals = 0;
  for (const auto& i : client.at("intervals")) in_intervals += i.at("bytes").get<std::uint64_t>();
  CHECK(in_intervals == bytes);
  CHECK(client.at("intervals").size() >= 5);  // 1.5 s in 250 ms reports, plus the drain
  const double seconds = client.at("seconds");
  CHECK(seconds >= 1.5);
  CHECK(client.at("gbps").get<double>() == Approx(static_cast<double>(bytes) * 8 / 1e9 / seconds).epsilon(1e-6));

  // The kernel's counters: the payload left through mxa1 and arrived on mxb1; port 0 stayed quiet.
  const Counters a1_after = counters(h.net, h.a, "mxa1"), b1_after = counters(h.net, h.b, "mxb1");
  const Counters a0_after = counters(h.net, h.a, "mxa0"), b0_after = counters(h.net, h.b, "mxb0");
  CHECK(a1_after.tx - a1.tx >= bytes);
  CHECK(b1_after.rx - b1.rx >= bytes);
  CHECK(a0_after.tx - a0.tx < 100'000);  // a little neighbour discovery at most

  // Each run brings its own port's counters, read as it was created and as it finished: the
  // client's port sent at least the payload in between, the server's received it.
  for (const auto& [run, port, counter] : {std::tuple{client, "mxa1", "tx_bytes"}, std::tuple{srv, "mxb1", "rx_bytes"}}) {
    INFO(port);
    REQUIRE(run.contains("counters"));
    const auto& before = run.at("counters").at("before");
    const auto& after = run.at("counters").at("after");
    REQUIRE(before.at("ports").size() == 1);
    REQUIRE(after.at("ports").size() == 1);
    CHECK(before.at("ports").at(0).at("name") == port);
    CHECK(after.at("time_ns").get<std::int64_t>() > before.at("time_ns").get<std::int64_t>());
    CHECK(after.at("boot_id") == before.at("boot_id"));
    const std::uint64_t grew = after.at("ports").at(0).at("netdev").at(counter).get<std::uint64_t>() -
                               before.at("ports").at(0).at("netdev").at(counter).get<std::uint64_t>();
    CHECK(grew >= bytes);
  }
  CHECK(b0_after.rx - b0.rx < 100'000);
}

TEST_CASE("rate_mbps paces a run: the server receives about the rate asked for, not more", "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}});
  const std::uint16_t tcp_port = server.at("tcp_port");
  // 200 Mb/s over two streams for 1.5 s: unpaced, the same veth carries tens of Gb/s.
  const json started = start_client(a, {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", tcp_port}, {"secret", server.at("secret")},
                                        {"streams", 2}, {"duration_ms", 1500}, {"rate_mbps", 200}});
  const json client = wait_finished(a, started.at("id"));
  const json srv = wait_finished(b, server.at("id"));
  INFO(client.dump() << "\n" << srv.dump());
  REQUIRE(client.at("state") == "done");
  const double gbps = srv.at("gbps");
  // Pacing is a ceiling (a busy machine can only make it slower) with a start-up burst of a few
  // segments: at most 10% over; at least half, or the stream was not really running.
  CHECK(gbps <= 0.2 * 1.1);
  CHECK(gbps >= 0.1);
}

TEST_CASE("byte-count mode sends exactly the bytes asked for, split over the streams", "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}, {"interval_ms", 100}});
  const Counters a0 = counters(h.net, h.a, "mxa0");
  const std::uint64_t want = 50'000'000;
  const json started = start_client(
      a, {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")}, {"streams", 3},
          {"bytes", want}});
  const json client = wait_finished(a, started.at("id"));
  const json srv = wait_finished(b, server.at("id"));
  INFO(client.dump() << "\n" << srv.dump());
  REQUIRE(client.at("state") == "done");
  REQUIRE(srv.at("state") == "done");
  CHECK(client.at("bytes") == want);
  CHECK(client.at("bytes_confirmed") == want);
  CHECK(srv.at("bytes") == want);
  REQUIRE(client.at("per_stream").size() == 3);
  CHECK(client.at("per_stream").at(0).at("bytes") == 16'666'668);  // the remainder rides on stream 0
  CHECK(client.at("per_stream").at(1).at("bytes") == 16'666'666);
  CHECK(client.at("per_stream").at(2).at("bytes") == 16'666'666);
  for (std::size_t i = 0; i < 3; ++i) CHECK(srv.at("per_stream").at(i).at("bytes") == client.at("per_stream").at(i).at("bytes"));
  CHECK(counters(h.net, h.a, "mxa0").tx - a0.tx >= want);
}

TEST_CASE("a server in copy mode receives every byte, as the discard default does, and says which it used",
          "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const std::uint64_t want = 40'000'000;
  for (const std::string sink : {"copy", "discard", ""}) {
    INFO("sink " << (sink.empty() ? "(default)" : sink));
    json body = {{"port", "mxb0"}};
    if (!sink.empty()) body["sink"] = sink;
    const json server = start_server(b, body);
    const json started = start_client(
        a, {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")}, {"streams", 2},
            {"bytes", want}});
    const json client = wait_finished(a, started.at("id"));
    const json srv = wait_finished(b, server.at("id"));
    INFO(client.dump() << "\n" << srv.dump());
    REQUIRE(client.at("state") == "done");
    REQUIRE(srv.at("state") == "done");
    CHECK(srv.at("bytes") == want);
    CHECK(client.at("bytes_confirmed") == want);  // per-connection receipts count copied bytes too
    CHECK(srv.at("sink") == (sink.empty() ? "discard" : sink));
    CHECK_FALSE(client.contains("sink"));  // the sender has no sink
  }
  // The field is checked at the edge and named.
  auto bad = b.post("/v1/traffic/servers", json{{"port", "mxb0"}, {"sink", "keep"}}.dump());
  CHECK(bad.status == 400);
  CHECK(bad.json().at("error").at("field") == "sink");
}

TEST_CASE("timeline mode shows a carrier outage as a gap, and the recovery after it", "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}, {"timeline", true}, {"duration_ms", 30'000}});
  const json started = start_client(a, {{"port", "mxa0"}, {"peer", "198.18.30.2"},
                                        {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")}, {"duration_ms", 4000},
                                        {"timeline", true}});
  // Wait (bounded) until data flows, then take the far end's veth down for ~300 ms.
  for (int i = 0; i < 100 && get_run(b, server.at("id"), false).at("bytes") == 0; ++i) std::this_thread::sleep_for(20ms);
  REQUIRE(get_run(b, server.at("id"), false).at("bytes") > 0);  // data flowed within the 2 s wait
  std::this_thread::sleep_for(500ms);
  const std::int64_t down_ns = now_realtime_ns();
  h.net.ip(h.b, "link set dev mxb0 down");
  std::this_thread::sleep_for(300ms);
  h.net.ip(h.b, "link set dev mxb0 up");
  const std::int64_t up_ns = now_realtime_ns();

  const json client = wait_finished(a, started.at("id"));
  const json srv = wait_finished(b, server.at("id"));
  INFO(client.at("events").dump() << "\n" << srv.at("events").dump() << "\n" << srv.at("timeline").at("gaps").dump());
  REQUIRE(client.at("state") == "done");
  REQUIRE(srv.at("state") == "done");

  const json& t = srv.at("timeline");
  CHECK(t.at("bin_us") == 1000);
  const std::int64_t start = t.at("start_ns");
  CHECK(start % 1'000'000 == 0);  // bins start on CLOCK_REALTIME millisecond boundaries
  CHECK(t.at("bins").size() == t.at("bin_count"));
  CHECK(sum_bins(srv) + t.at("overflow_bytes").get<std::uint64_t>() == srv.at("bytes"));

  // A gap that covers the moment the carrier went: nothing arrived while the cable was dark.
  const json* outage = nullptr;
  for (const auto& g : t.at("gaps")) {
    if (g.at("start_ns").get<std::int64_t>() <= up_ns && g.at("end_ns").get<std::int64_t>() >= down_ns) outage = &g;
  }
  REQUIRE(outage != nullptr);
  const std::int64_t gap_ns = outage->at("end_ns").get<std::int64_t>() - outage->at("start_ns").get<std::int64_t>();
  CHECK(gap_ns >= 200'000'000);  // the cable was dark for ~300 ms; the gap cannot be much shorter
  CHECK(outage->at("bins").get<std::int64_t>() * 1'000'000 == gap_ns);

  // Recovery: bytes arrived after the gap, right up to the end of the run.
  std::uint64_t after = 0;
  const auto& bins = t.at("bins");
  const std::size_t first_after = static_cast<std::size_t>((outage->at("end_ns").get<std::int64_t>() - start) / 1'000'000);
  for (std::size_t i = first_after; i < bins.size(); ++i) after += bins[i].get<std::uint64_t>();
  CHECK(after > 1'000'000);
}

TEST_CASE("timeline mode reconnects when TCP gives up during a long outage", "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}, {"timeline", json{{"bin_us", 1000}}}, {"duration_ms", 30'000}});
  // TCP gives up after 200 ms of unacknowledged data; the outage lasts 1.5 s.
  const json started = start_client(
      a, {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")}, {"duration_ms", 4500},
          {"timeline", json{{"stall_timeout_ms", 200}, {"reconnect_timeout_ms", 10'000}}}});
  for (int i = 0; i < 100 && get_run(b, server.at("id"), false).at("bytes") == 0; ++i) std::this_thread::sleep_for(20ms);
  REQUIRE(get_run(b, server.at("id"), false).at("bytes") > 0);  // data flowed within the 2 s wait
  std::this_thread::sleep_for(500ms);
  const std::int64_t down_ns = now_realtime_ns();
  h.net.ip(h.b, "link set dev mxb0 down");
  std::this_thread::sleep_for(1500ms);
  h.net.ip(h.b, "link set dev mxb0 up");

  const json client = wait_finished(a, started.at("id"));
  const json srv = wait_finished(b, server.at("id"));
  INFO(client.dump() << "\n" << srv.at("events").dump());
  REQUIRE(client.at("state") == "done");
  REQUIRE(srv.at("state") == "done");
  CHECK(client.at("reconnects").get<int>() >= 1);
  CHECK(srv.at("reconnects").get<int>() >= 1);
  CHECK(client.at("per_stream").at(0).at("connections").get<int>() >= 2);
  bool broken = false;
  for (const auto& e : client.at("events")) broken = broken || e.at("kind") == "broken";
  CHECK(broken);
  // Bytes of the broken connection's send buffer were lost with it: no overall receipt then.
  CHECK(client.at("bytes_confirmed").is_null());
  // The gap covers the outage and data flowed again after it.
  bool covered = false;
  std::int64_t gap_end = 0;
  for (const auto& g : srv.at("timeline").at("gaps")) {
    if (g.at("start_ns").get<std::int64_t>() <= down_ns + 1'500'000'000 && g.at("end_ns").get<std::int64_t>() >= down_ns) {
      covered = true;
      gap_end = g.at("end_ns");
    }
  }
  REQUIRE(covered);
  CHECK(gap_end >= down_ns + 1'000'000'000);
  const std::int64_t start = srv.at("timeline").at("start_ns");
  std::uint64_t after = 0;
  const auto& bins = srv.at("timeline").at("bins");
  for (std::size_t i = static_cast<std::size_t>((gap_end - start) / 1'000'000); i < bins.size(); ++i) {
    after += bins[i].get<std::uint64_t>();
  }
  CHECK(after > 0);
}

TEST_CASE("a timeline client started while its port is dark connects when the link comes up",
          "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}, {"timeline", true}, {"duration_ms", 30'000}});
  // The far end down: mxa0 has no carrier, like a host port whose circuit the OCS is still making.
  h.net.ip(h.b, "link set dev mxb0 down");
  const json started = start_client(
      a, {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")}, {"duration_ms", 2000},
          {"timeline", json{{"connect_timeout_ms", 5000}}}});
  std::this_thread::sleep_for(300ms);
  const std::int64_t up_from_ns = now_realtime_ns();
  h.net.ip(h.b, "link set dev mxb0 up");
  const std::int64_t up_ns = now_realtime_ns();

  const json client = wait_finished(a, started.at("id"));
  const json srv = wait_finished(b, server.at("id"));
  INFO(client.at("events").dump() << "\n" << client.at("errors").dump() << "\n" << srv.at("events").dump());
  REQUIRE(client.at("state") == "done");
  REQUIRE(srv.at("state") == "done");
  CHECK(client.at("bytes_confirmed") == client.at("bytes"));
  CHECK(client.at("per_stream").at(0).at("connections") == 1);
  CHECK(client.at("reconnects") == 0);
  // It saw the dark port, then connected.
  CHECK(has_event(client, "refused", "mxa0 has no carrier"));
  CHECK(has_event(client, "connected"));

  // The client's bins start at the run's start: empty until the link came up, bytes after.
  const json& t = client.at("timeline");
  const std::int64_t start = t.at("start_ns");
  const std::int64_t created = client.at("created_ns");
  CHECK(start <= created);
  CHECK(created - start < 1'000'000);
  const std::size_t first = first_data_bin(client);
  REQUIRE(first < t.at("bins").size());
  const std::int64_t first_data_ns = start + static_cast<std::int64_t>(first) * 1'000'000;
  INFO("first data " << (first_data_ns - up_ns) / 1'000'000 << " ms after the link came up (" << first
                     << " empty bins)");
  CHECK(first >= 250);                                 // ~300 ms dark from the start
  CHECK(first_data_ns + 1'000'000 > up_from_ns);       // nothing written before the link came up
  CHECK(first_data_ns - up_ns < 500'000'000);          // and traffic soon after it did
  CHECK(sum_bins(client) > 1'000'000);
  // The duration counts from the run's start, not from the connection: the last byte was written
  // about 2 s after the start (counted from the connection it would be ~2.3 s).
  const std::int64_t last_data_ns = start + static_cast<std::int64_t>(last_data_bin(client)) * 1'000'000;
  CHECK(last_data_ns - created < 2'150'000'000);
  CHECK(last_data_ns - created > 1'800'000'000);
  // The server's bins agree: nothing arrived before the link came up.
  CHECK(srv.at("timeline").at("start_ns").get<std::int64_t>() +
            static_cast<std::int64_t>(first_data_bin(srv) + 1) * 1'000'000 >
        up_from_ns);
}

TEST_CASE("a timeline client whose port stays dark fails at connect_timeout_ms, saying so", "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  h.net.ip(h.b, "link set dev mxb0 down");
  const json started = start_client(
      a, {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", 5201}, {"duration_ms", 10'000},
          {"secret", "000102030405060708090a0b0c0d0e0f"},
          {"timeline", json{{"connect_timeout_ms", 400}}}});
  const json client = wait_finished(a, started.at("id"), 10s);
  INFO(client.at("events").dump() << "\n" << client.at("errors").dump());
  CHECK(client.at("state") == "failed");
  REQUIRE_FALSE(client.at("errors").empty());
  const std::string error = client.at("errors").at(0);
  CHECK(error.find("connect_timeout_ms (400 ms)") != std::string::npos);
  CHECK(error.find("no carrier") != std::string::npos);
  CHECK(client.at("bytes") == 0);
  CHECK(client.at("start_ns") == 0);  // it never started sending
  // It gave up at the connect timeout, long before the 10 s duration.
  const std::int64_t took = client.at("end_ns").get<std::int64_t>() - client.at("created_ns").get<std::int64_t>();
  CHECK(took >= 400'000'000);
  CHECK(took < 2'000'000'000);
}

TEST_CASE("traffic threads run at normal priority though the agent's stamping thread raised itself to real-time", "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  // Nobody raised them: the main thread (netlink reader, probe receiver) took SCHED_FIFO itself
  // (--stamp-priority, default 10) before it started any other thread.
  REQUIRE(sched_getscheduler(a.pid()) == SCHED_FIFO);
  REQUIRE(sched_getscheduler(b.pid()) == SCHED_FIFO);
  const json server = start_server(b, {{"port", "mxb0"}, {"timeline", true}, {"duration_ms", 30'000}});
  const json started = start_client(a, {{"port", "mxa0"}, {"peer", "198.18.30.2"},
                                        {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")}, {"streams", 2},
                                        {"duration_ms", 1500}, {"timeline", true}});
  for (int i = 0; i < 100 && get_run(b, server.at("id"), false).at("bytes") == 0; ++i) std::this_thread::sleep_for(20ms);
  REQUIRE(get_run(b, server.at("id"), false).at("bytes") > 0);  // data flowed within the 2 s wait

  // The threads that made the runs are real-time, so the runs' threads started real-time too ...
  CHECK(sched_getscheduler(a.pid()) == SCHED_FIFO);
  CHECK(sched_getscheduler(b.pid()) == SCHED_FIFO);
  // ... and left it: every traffic thread (client control and streams, server control and
  // connections) is SCHED_OTHER.
  const auto client_threads = threads_named(a.pid(), "mx-tr-");
  const auto server_threads = threads_named(b.pid(), "mx-tr-");
  CHECK(client_threads.size() == 3);  // mx-tr-client, 2 x mx-tr-stream
  CHECK(server_threads.size() >= 3);  // mx-tr-server, a mx-tr-conn per connection
  for (const auto& t : client_threads) {
    INFO(t.name);
    CHECK(t.policy == SCHED_OTHER);
  }
  for (const auto& t : server_threads) {
    INFO(t.name);
    CHECK(t.policy == SCHED_OTHER);
  }

  const json client = wait_finished(a, started.at("id"));
  const json srv = wait_finished(b, server.at("id"));
  CHECK(client.at("state") == "done");
  CHECK(srv.at("state") == "done");
}

TEST_CASE("cancelling runs: the client and the server stop, and the server sees no clean end", "[integration][traffic]") {
  TwoHosts h;
  AgentProcess a(h.net, h.a, "host-a", "mxa*");
  AgentProcess b(h.net, h.b, "host-b", "mxb*");
  const json server = start_server(b, {{"port", "mxb0"}, {"duration_ms", 120'000}});
  const json started = start_client(a, {{"port", "mxa0"}, {"peer", "198.18.30.2"},
                                        {"peer_tcp_port", server.at("tcp_port")}, {"secret", server.at("secret")}, {"duration_ms", 120'000}});
  const std::string id = started.at("id");
  for (int i = 0; i < 100 && get_run(a, id, false).at("bytes") == 0; ++i) std::this_thread::sleep_for(20ms);

  auto del = a.call(HttpCall{.method = "DELETE", .target = "/v1/traffic/runs/" + id});
  REQUIRE(del.status == 200);
  const json client = wait_finished(a, id, 10s);
  CHECK(client.at("state") == "cancelled");
  CHECK(client.at("end_ns").get<std::int64_t>() > 0);
  const std::uint64_t bytes = client.at("bytes");
  CHECK(bytes > 0);
  // Nothing more is sent once cancelled.
  std::this_thread::sleep_for(200ms);
  CHECK(get_run(a, id, false).at("bytes") == bytes);

  // The server saw the connection reset, not a clean end, so it keeps waiting until cancelled too.
  std::this_thread::sleep_for(200ms);
  CHECK(get_run(b, server.at("id"), false).at("state") == "running");
  auto del_srv = b.call(HttpCall{.method = "DELETE", .target = "/v1/traffic/runs/" + server.at("id").get<std::string>()});
  REQUIRE(del_srv.status == 200);
  const json srv = wait_finished(b, server.at("id"), 10s);
  CHECK(srv.at("state") == "cancelled");
  bool reset = false;
  for (const auto& e : srv.at("events")) reset = reset || e.at("kind") == "broken";
  CHECK(reset);

  // Cancelling a finished run changes nothing; an unknown run is 404 naming the id.
  auto again = a.call(HttpCall{.method = "DELETE", .target = "/v1/traffic/runs/" + id});
  CHECK(again.status == 200);
  CHECK(again.json().at("state") == "cancelled");
  auto missing = a.call(HttpCall{.method = "DELETE", .target = "/v1/traffic/runs/tr-999"});
  CHECK(missing.status == 404);
  CHECK(missing.json().at("error").at("field") == "id");
}

TEST_CASE("the traffic API refuses what it cannot do, naming the field", "[integration][traffic]") {
  TwoHosts h;
  h.net.ip(h.a, "link add mxa2 type veth peer name mxa3");  // managed, but without an address
  h.net.ip(h.a, "link set dev mxa2 up");
  AgentProcess a(h.net, h.a, "host-a", "mxa*");

  auto field = [&](const std::string& target, const json& body, unsigned status) {
    auto r = a.post(target, body.dump());
    INFO(target << " " << body.dump() << " -> " << r.body);
    CHECK(r.status == status);
    return r.json().at("error").value("field", std::string());
  };
  const json client = {{"port", "mxa0"}, {"peer", "198.18.30.2"}, {"peer_tcp_port", 5201}, {"duration_ms", 1000},
                       {"secret", "000102030405060708090a0b0c0d0e0f"}};

  // A transport without an engine: refused, naming it, never quietly run over TCP. (RDMA has an
  // engine; its refusals on a host without a device are in test_agent_rdma.cpp.)
  json quic = client;
  quic["transport"] = "quic";
  auto r = a.post("/v1/traffic/runs", quic.dump());
  CHECK(r.status == 400);
  CHECK(r.json().at("error").at("field") == "transport");
  CHECK(r.json().at("error").at("message").get<std::string>().find("'quic'") != std::string::npos);
  CHECK(field("/v1/traffic/servers", {{"port", "mxa0"}, {"transport", "quic"}}, 400) == "transport");

  json other = client;
  other["port"] = "eth0";
  CHECK(field("/v1/traffic/runs", other, 404) == "port");       // not managed (or absent)
  other["port"] = "mxa2";
  CHECK(field("/v1/traffic/runs", other, 409) == "port");       // no address to bind to
  CHECK(field("/v1/traffic/servers", {{"port", "mxa2"}}, 409) == "port");
  json v6 = client;
  v6["peer"] = "fd00::2";
  CHECK(field("/v1/traffic/runs", v6, 409) == "port");          // no IPv6 address on mxa0
  CHECK(field("/v1/traffic/runs", {{"port", "mxa0"}}, 400) == "peer");
  json both = client;
  both["bytes"] = 10;
  CHECK(field("/v1/traffic/runs", both, 400) == "bytes");
  // No run without the server's secret, and a malformed one is named, never echoed.
  json lacking = client;
  lacking.erase("secret");
  CHECK(field("/v1/traffic/runs", lacking, 400) == "secret");
  json malformed = client;
  malformed["secret"] = "not-a-secret";
  CHECK(field("/v1/traffic/runs", malformed, 400) == "secret");
  CHECK(field("/v1/traffic/servers", {{"port", "mxa0"}, {"timeline", {{"bin_us", 5}}}}, 400) == "timeline.bin_us");

  auto bad_id = a.get("/v1/traffic/runs/nope");
  CHECK(bad_id.status == 400);
  CHECK(bad_id.json().at("error").at("field") == "id");
  auto unknown = a.get("/v1/traffic/runs/tr-77");
  CHECK(unknown.status == 404);
  auto bad_query = a.get("/v1/traffic/runs/tr-1?bins=2");
  CHECK(bad_query.status == 400);
  CHECK(bad_query.json().at("error").at("field") == "bins");

  // Nothing listens on the peer: the run fails and says why.
  const json failed = wait_finished(a, start_client(a, client).at("id"), 15s);
  CHECK(failed.at("state") == "failed");
  REQUIRE_FALSE(failed.at("errors").empty());
  CHECK(failed.at("errors").at(0).get<std::string>().find("198.18.30.2:5201") != std::string::npos);

  // At most 16 runs at once: the 17th is refused until one ends.
  std::vector<std::string> ids;
  for (int i = 0; i < 16; ++i) ids.push_back(start_server(a, {{"port", "mxa0"}, {"accept_timeout_ms", 60'000}}).at("id"));
  auto full = a.post("/v1/traffic/servers", json{{"port", "mxa0"}}.dump());
  CHECK(full.status == 409);
  CHECK(a.call(HttpCall{.method = "DELETE", .target = "/v1/traffic/runs/" + ids.front()}).status == 200);
  CHECK(wait_finished(a, ids.front(), 10s).at("state") == "cancelled");
  start_server(a, {{"port", "mxa0"}});
  auto list = a.get("/v1/traffic/runs");
  REQUIRE(list.status == 200);
  CHECK(list.json().at("runs").size() == 18);  // the failed client and 17 servers
}
