// The TCP traffic engine's runs in process, over loopback ("lo", 127.0.0.1): a TcpServerRun and
// TcpClientRun started through TcpEngine talk to each other as they do across a data port, so the
// hello, the streams, the receipt, the intervals, the timeline bins, cancels and refusals are checked
// without namespaces or an agent. What needs a real port (carrier outages, reconnects, pacing on a
// veth) stays in tests/integration/test_agent_traffic.cpp.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "agent/traffic/run_secret.hpp"
#include "agent/traffic/tcp_engine.hpp"
#include "agent/traffic/tcp_hello.hpp"
#include "agent/traffic/traffic_engine.hpp"
#include "common/unique_fd.hpp"
#include "common/wire/traffic_api.hpp"

using namespace mixnet;
using namespace mixnet::agent::traffic;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

// Generous: the machine running the tests may be busy compiling.
constexpr auto kFinishWithin = 30s;

// The one secret of these tests' servers and clients (the API would make a fresh one per server).
RunSecret loopback_secret() {
  RunSecret s;
  for (std::size_t i = 0; i < s.bytes.size(); ++i) s.bytes[i] = static_cast<std::uint8_t>(0xa0 + i);
  return s;
}

TrafficSpec loopback_spec(Role role) {
  TrafficSpec s;
  s.role = role;
  s.port = "lo";
  s.ifindex = static_cast<int>(::if_nametoindex("lo"));
  s.local_address = "127.0.0.1";
  s.interval = 50ms;
  s.secret = loopback_secret();
  return s;
}

// A server on lo that lives long enough for any test here, on a port the kernel picks.
TrafficSpec server_spec() {
  TrafficSpec s = loopback_spec(Role::server);
  s.duration = kFinishWithin;
  s.accept_timeout = 10s;
  return s;
}

TrafficSpec client_spec(std::uint16_t server_port) {
  TrafficSpec s = loopback_spec(Role::client);
  s.peer = "127.0.0.1";
  s.tcp_port = server_port;
  return s;
}

std::unique_ptr<TrafficRun> start(const std::string& id, const TrafficSpec& spec) {
  TcpEngine engine;
  auto run = engine.start(id, spec);
  INFO(id << ": " << (run ? std::string{} : run.error().describe()));
  REQUIRE(run);
  return std::move(*run);
}

// Waits for the run to finish; its final report, with bins.
wire::TrafficRunReport wait_finished(const TrafficRun& run, std::chrono::milliseconds within = kFinishWithin) {
  const auto until = std::chrono::steady_clock::now() + within;
  while (!is_finished(run.state()) && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  auto report = run.report(true);
  INFO(report.id << " is " << report.state);
  REQUIRE(is_finished(run.state()));
  return report;
}

// Waits until the run has moved bytes (it is past its connections and sending or receiving).
void wait_flowing(const TrafficRun& run) {
  const auto until = std::chrono::steady_clock::now() + kFinishWithin;
  while (run.report(false).bytes == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  REQUIRE(run.report(false).bytes > 0);
}

std::size_t count_events(const wire::TrafficRunReport& r, const std::string& kind) {
  std::size_t n = 0;
  for (const auto& e : r.events) n += e.kind == kind ? 1 : 0;
  return n;
}

std::uint64_t interval_bytes(const wire::TrafficRunReport& r) {
  std::uint64_t sum = 0;
  for (const auto& i : r.intervals) sum += i.bytes;
  return sum;
}

}  // namespace

TEST_CASE("a byte-count TCP run over loopback delivers exactly its bytes, split over its streams, and the receipt confirms them",
          "[traffic][tcp][loopback]") {
  const auto sink = GENERATE(wire::TcpSink::discard, wire::TcpSink::copy);
  TrafficSpec s = server_spec();
  s.sink = sink;
  auto server = start("server", s);
  const std::uint16_t tcp_port = server->report(false).tcp_port;
  REQUIRE(tcp_port != 0);

  TrafficSpec c = client_spec(tcp_port);
  c.streams = 3;
  c.bytes = 3'000'002;  // 1'000'000 per stream, and the 2 left over go with stream 0
  auto client = start("client", c);

  const auto sent = wait_finished(*client);
  const auto received = wait_finished(*server);
  INFO("sink: " << wire::to_string(sink));
  CHECK(sent.state == "done");
  CHECK(sent.errors.empty());
  CHECK(sent.bytes == 3'000'002);
  REQUIRE(sent.bytes_confirmed);
  CHECK(*sent.bytes_confirmed == 3'000'002);
  REQUIRE(sent.per_stream.size() == 3);
  CHECK(sent.per_stream[0].bytes == 1'000'002);
  CHECK(sent.per_stream[1].bytes == 1'000'000);
  CHECK(sent.per_stream[2].bytes == 1'000'000);
  for (const auto& st : sent.per_stream) {
    CHECK(st.connections == 1);
    CHECK(st.error.empty());
  }
  CHECK(count_events(sent, "connected") == 3);
  CHECK(count_events(sent, "closed") == 3);

  CHECK(received.state == "done");
  CHECK(received.errors.empty());
  CHECK(received.bytes == 3'000'002);
  CHECK(received.streams == 3);
  CHECK(received.peer == "127.0.0.1");
  CHECK(received.sink == wire::to_string(sink));
  REQUIRE(received.per_stream.size() == 3);
  CHECK(received.per_stream[0].bytes == 1'000'002);
  CHECK(count_events(received, "closed") == 3);
  CHECK(received.reconnects == 0);
}

TEST_CASE("a duration TCP run over loopback sends for its duration, and its intervals add up to its bytes",
          "[traffic][tcp][loopback]") {
  auto server = start("server", server_spec());
  TrafficSpec c = client_spec(server->report(false).tcp_port);
  c.duration = 300ms;
  auto client = start("client", c);

  const auto sent = wait_finished(*client);
  const auto received = wait_finished(*server);
  CHECK(sent.state == "done");
  CHECK(received.state == "done");
  CHECK(sent.bytes > 0);
  REQUIRE(sent.bytes_confirmed);
  CHECK(*sent.bytes_confirmed == sent.bytes);
  CHECK(received.bytes == sent.bytes);
  CHECK(sent.seconds >= 0.29);
  // Intervals run from the first connection to the end, so together they hold every byte.
  CHECK(sent.intervals.size() >= 2);
  CHECK(interval_bytes(sent) == sent.bytes);
  CHECK(interval_bytes(received) == received.bytes);
}

TEST_CASE("a timeline TCP run over loopback puts every byte in a bin of its time", "[traffic][tcp][loopback]") {
  const wire::TimelineOptions timeline{.bin_us = 1000};
  TrafficSpec s = server_spec();
  s.timeline = timeline;
  auto server = start("server", s);
  TrafficSpec c = client_spec(server->report(false).tcp_port);
  c.timeline = timeline;
  c.duration = 200ms;
  auto client = start("client", c);

  for (const auto& r : {wait_finished(*client), wait_finished(*server)}) {
    INFO(r.role);
    CHECK(r.state == "done");
    CHECK(r.bytes > 0);
    REQUIRE(r.timeline);
    CHECK(r.timeline->bin_us == 1000);
    CHECK(r.timeline->bin_count > 0);
    CHECK(r.timeline->bins.size() == r.timeline->bin_count);
    const std::uint64_t in_bins = std::accumulate(r.timeline->bins.begin(), r.timeline->bins.end(), std::uint64_t{0});
    CHECK(in_bins + r.timeline->overflow_bytes == r.bytes);
  }
}

TEST_CASE("a cancelled TCP client stops at once, and its server sees no clean end until it is cancelled too",
          "[traffic][tcp][loopback]") {
  auto server = start("server", server_spec());
  TrafficSpec c = client_spec(server->report(false).tcp_port);
  c.streams = 2;
  c.duration = kFinishWithin;
  auto client = start("client", c);
  wait_flowing(*client);

  client->cancel();
  const auto sent = wait_finished(*client, 3s);
  CHECK(sent.state == "cancelled");
  CHECK_FALSE(sent.bytes_confirmed);

  // The client reset its connections: no stream ended cleanly, so the server is still running.
  std::this_thread::sleep_for(200ms);
  CHECK(server->state() == RunState::running);
  server->cancel();
  const auto received = wait_finished(*server, 3s);
  CHECK(received.state == "cancelled");
  CHECK(count_events(received, "closed") == 0);
}

TEST_CASE("a TCP server serves one client session: a second client is refused, the first finishes",
          "[traffic][tcp][loopback]") {
  auto server = start("server", server_spec());
  const std::uint16_t tcp_port = server->report(false).tcp_port;
  TrafficSpec first = client_spec(tcp_port);
  first.duration = 500ms;
  auto a = start("first", first);
  wait_flowing(*server);

  TrafficSpec second = client_spec(tcp_port);
  second.bytes = 1'000'000;
  auto b = start("second", second);

  const auto refused = wait_finished(*b);
  CHECK(refused.state == "failed");
  CHECK_FALSE(refused.errors.empty());
  const auto served = wait_finished(*a);
  CHECK(served.state == "done");
  const auto received = wait_finished(*server);
  CHECK(received.state == "done");
  REQUIRE(served.bytes_confirmed);
  CHECK(received.bytes == *served.bytes_confirmed);
  CHECK(count_events(received, "refused") >= 1);
}

TEST_CASE("a TCP server that no client reaches fails at accept_timeout_ms, saying so", "[traffic][tcp][loopback]") {
  TrafficSpec s = server_spec();
  s.accept_timeout = 100ms;
  auto server = start("server", s);
  const auto r = wait_finished(*server);
  CHECK(r.state == "failed");
  CHECK(r.start_ns == 0);
  REQUIRE(r.errors.size() == 1);
  CHECK_THAT(r.errors[0], Contains("accept_timeout_ms"));
}

TEST_CASE("a TCP client whose server is gone fails, naming the stream's error", "[traffic][tcp][loopback]") {
  std::uint16_t closed_port = 0;
  {
    auto server = start("gone", server_spec());
    closed_port = server->report(false).tcp_port;
  }  // the run's listener closes with it: nothing listens on the port now
  TrafficSpec c = client_spec(closed_port);
  c.streams = 2;
  c.bytes = 1000;
  auto client = start("client", c);
  const auto r = wait_finished(*client);
  CHECK(r.state == "failed");
  CHECK(r.start_ns == 0);
  CHECK(r.bytes == 0);
  CHECK_FALSE(r.errors.empty());
  REQUIRE(r.per_stream.size() == 2);
  for (const auto& st : r.per_stream) CHECK_FALSE(st.error.empty());
}

TEST_CASE("TCP runs refuse a spec they cannot run before starting, naming the field", "[traffic][tcp]") {
  TcpEngine engine;
  auto refused_on = [&](const TrafficSpec& spec) {
    auto run = engine.start("refused", spec);
    REQUIRE_FALSE(run);
    return run.error();
  };
  TrafficSpec c = client_spec(5201);
  c.bytes = 1000;

  TrafficSpec no_streams = c;
  no_streams.streams = 0;
  CHECK(refused_on(no_streams).field == "streams");
  TrafficSpec too_many = c;
  too_many.streams = wire::kMaxTrafficStreams + 1;
  CHECK(refused_on(too_many).field == "streams");
  TrafficSpec no_end = c;
  no_end.bytes.reset();
  CHECK(refused_on(no_end).code == Errc::invalid_argument);
  CHECK(refused_on(no_end).field == "duration_ms");
  TrafficSpec bad_peer = c;
  bad_peer.peer = "not-an-address";
  CHECK(refused_on(bad_peer).code == Errc::invalid_argument);
  CHECK(refused_on(bad_peer).field == "peer");
  // Neither side runs without the run's secret: no server open to anyone, no client without it.
  TrafficSpec no_secret = c;
  no_secret.secret.reset();
  CHECK(refused_on(no_secret).field == "secret");
  TrafficSpec open_server = server_spec();
  open_server.secret.reset();
  CHECK(refused_on(open_server).field == "secret");

  // A server on an address the port does not have cannot listen.
  TrafficSpec elsewhere = server_spec();
  elsewhere.local_address = "192.0.2.1";
  CHECK(refused_on(elsewhere).code == Errc::not_found);
}

namespace {

// A stranger on the data network: a plain TCP connection to the server's port that sends `bytes`.
UniqueFd stranger_sends(std::uint16_t tcp_port, const std::vector<std::uint8_t>& bytes) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(tcp_port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
  // Small enough for the socket buffers: the whole of it is on its way before the server answers.
  REQUIRE(::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  return fd;
}

// Waits (bounded) until the server has rejected `n` connections in all.
void wait_rejected(const TrafficRun& server, std::uint64_t n) {
  const auto until = std::chrono::steady_clock::now() + kFinishWithin;
  while (server.report(false).rejected_connections < n && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(server.report(false).rejected_connections == n);
}

struct ServedRun {
  wire::TrafficRunReport sent, received;
};

// The announced client sends `bytes` over `streams` to the server; both must end done.
ServedRun serve_announced_client(const TrafficRun& server, std::uint16_t tcp_port, std::uint32_t streams, std::uint64_t bytes) {
  TrafficSpec c = client_spec(tcp_port);
  c.streams = streams;
  c.bytes = bytes;
  auto client = start("client", c);
  ServedRun r{.sent = wait_finished(*client), .received = wait_finished(server)};
  CHECK(r.sent.state == "done");
  CHECK(r.received.state == "done");
  return r;
}

std::vector<std::uint8_t> hello_then_payload(const RunSecret& secret) {
  const auto hello = encode_hello(StreamHello{.session = 7, .stream = 0, .streams = 1, .timeline = false, .secret = secret});
  std::vector<std::uint8_t> out(hello.begin(), hello.end());
  out.resize(out.size() + 20'000, 0x55);
  return out;
}

}  // namespace

TEST_CASE("a TCP server counts only the client with its secret: strangers without it are rejected and none of their bytes count",
          "[traffic][tcp][loopback][secret]") {
  auto server = start("server", server_spec());
  const std::uint16_t tcp_port = server->report(false).tcp_port;

  // Before the announced client: a well-formed hello with a wrong secret, one with no secret (all
  // zero), and bytes that are no hello at all, each followed by payload. Without the secret check
  // the first would have become the served session.
  RunSecret wrong = loopback_secret();
  wrong.bytes.back() ^= 1;
  std::vector<UniqueFd> strangers;
  strangers.push_back(stranger_sends(tcp_port, hello_then_payload(wrong)));
  strangers.push_back(stranger_sends(tcp_port, hello_then_payload(RunSecret{})));
  strangers.push_back(stranger_sends(tcp_port, std::vector<std::uint8_t>(20'000, 0x55)));
  wait_rejected(*server, 3);
  CHECK(server->report(false).bytes == 0);

  const auto [sent, received] = serve_announced_client(*server, tcp_port, 1, 2'000'000);
  REQUIRE(sent.bytes_confirmed);
  CHECK(*sent.bytes_confirmed == 2'000'000);
  CHECK(received.bytes == 2'000'000);   // the strangers' 60 kB are nowhere
  CHECK(received.rejected_connections == 3);
  CHECK(count_events(received, "rejected") == 3);
  CHECK(count_events(received, "connected") == 1);
  CHECK(received.peer.rfind("127.0.0.1", 0) == 0);
}

TEST_CASE("strangers cannot use up a TCP server's connection places: 300 rejected connections, then the client is served",
          "[traffic][tcp][loopback][secret]") {
  auto server = start("server", server_spec());
  const std::uint16_t tcp_port = server->report(false).tcp_port;
  // More than kMaxServerConnections (256), one after the other: each is rejected at its hello and
  // gives its place back.
  constexpr std::uint64_t kStrangers = 300;
  for (std::uint64_t i = 0; i < kStrangers; ++i) {
    UniqueFd fd = stranger_sends(tcp_port, std::vector<std::uint8_t>(kHelloSize, 0x42));
    wait_rejected(*server, i + 1);
  }

  const auto received = serve_announced_client(*server, tcp_port, 2, 1'000'000).received;
  CHECK(received.bytes == 1'000'000);
  CHECK(received.rejected_connections == kStrangers);
}
