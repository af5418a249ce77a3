// Only the client the coordinator announced is counted: two real agents in namespaces, a TCP
// traffic run between them, and strangers on the data network that connect to the server's data
// port and send payload: one with a wrong secret before the client (it would have taken the
// session), and during the run a hello without the secret and bytes that are no hello at all. The server's bytes are the announced client's alone, the
// strangers are rejected and reported (the run's report, its events, /metrics), and the secret
// appears in no report, list or log. The hello is written here by hand from its documented
// layout (docs/agent-api.md), an independent check of the wire format.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/agent_process.hpp"

using namespace mixnet::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kStrangerPayload = 20'000;   // fits the socket buffers: all of it is on the wire

// The version-2 stream hello: magic "MXTR", version 2, flags, session, stream 0 of 1, the 16
// secret bytes, 8 reserved; big-endian.
std::vector<std::uint8_t> hand_made_hello(const std::string& secret_hex) {
  std::vector<std::uint8_t> h = {'M', 'X', 'T', 'R', 0, 2, 0, 0};
  for (int i = 0; i < 8; ++i) h.push_back(static_cast<std::uint8_t>(0x11 * (i + 1)));   // session
  for (const std::uint8_t b : {0, 0, 0, 0, 0, 0, 0, 1}) h.push_back(b);                 // stream 0, streams 1
  for (std::size_t i = 0; i < 16; ++i) {
    const std::string digits = secret_hex.empty() ? std::string("00") : secret_hex.substr(2 * i, 2);
    h.push_back(static_cast<std::uint8_t>(std::stoul(digits, nullptr, 16)));
  }
  h.resize(h.size() + 8, 0);
  return h;
}

// The server's secret with its last hex digit changed: one nibble wrong.
std::string nearly(const std::string& secret) {
  std::string s = secret;
  s.back() = s.back() == '0' ? '1' : '0';
  return s;
}

struct Stranger {
  int fd = -1;
  long sent = 0;   // bytes send() took, or -errno
};

// From the calling thread's namespace: connects to ADDR:PORT and sends `first` then payload.
Stranger stranger_connects(const std::string& address, std::uint16_t port, std::vector<std::uint8_t> first) {
  Stranger s;
  s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.fd < 0) return {.fd = -1, .sent = -errno};
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) return {.fd = s.fd, .sent = -errno};
  first.resize(first.size() + kStrangerPayload, 0x5a);
  const ssize_t n = ::send(s.fd, first.data(), first.size(), MSG_NOSIGNAL);
  s.sent = n < 0 ? -errno : n;
  return s;
}

json run_report(const AgentProcess& agent, const std::string& id) {
  auto r = agent.get("/v1/traffic/runs/" + id + "?bins=0");
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json();
}

// Long-polls (bounded) until the run has ended.
json run_end(const AgentProcess& agent, const std::string& id) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  json run = run_report(agent, id);
  while (run.at("state") == "starting" || run.at("state") == "running") {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    auto r = agent.get("/v1/traffic/runs/" + id + "?bins=0&wait_ms=1000");
    REQUIRE(r.status == 200);
    run = r.json();
  }
  return run;
}

std::uint64_t rx_bytes(NetnsFixture& net, const std::string& ns, const std::string& dev) {
  return net.ip_json(ns, "-s link show dev " + dev).at(0).at("stats64").at("rx").at("bytes");
}

}  // namespace

TEST_CASE("a traffic server counts only the announced client: strangers on the data port are rejected, their bytes never counted",
          "[integration][traffic][secret]") {
  NetnsFixture net;
  const std::string a = net.add_namespace();
  const std::string b = net.add_namespace();
  net.ip(b, "link add mxpad0 type veth peer name mxpad1");   // see TwoHosts in test_agent_traffic.cpp
  net.add_veth(a, "mxa0", b, "mxb0");
  net.ip(a, "addr add 198.18.33.1/24 dev mxa0");
  net.ip(b, "addr add 198.18.33.2/24 dev mxb0");
  AgentProcess agent_a(net, a, "host-a", "mxa*");
  AgentProcess agent_b(net, b, "host-b", "mxb*");

  auto started = agent_b.post("/v1/traffic/servers", json{{"port", "mxb0"}, {"duration_ms", 30'000}}.dump());
  INFO(started.body);
  REQUIRE(started.status == 201);
  const json server = started.json();
  const std::string secret = server.at("secret");
  REQUIRE(secret.size() == 32);
  const std::uint16_t tcp_port = server.at("tcp_port");
  const std::string server_id = server.at("id");
  const std::uint64_t rx_before = rx_bytes(net, b, "mxb0");

  // Before the announced client: a stranger with a wrong secret. Without the secret it would have
  // become the session the server serves, and the client the one refused.
  const Stranger early = net.run_in(
      a, [&] { return stranger_connects("198.18.33.2", tcp_port, hand_made_hello(nearly(secret))); });
  CHECK(early.sent > 0);
  const auto rejected_by = std::chrono::steady_clock::now() + 30s;
  while (run_report(agent_b, server_id).at("rejected_connections") == 0) {
    REQUIRE(std::chrono::steady_clock::now() < rejected_by);
    std::this_thread::sleep_for(10ms);
  }

  // The announced client: 2 s of traffic, paced so the strangers below meet a run in progress.
  auto client_started = agent_a.post("/v1/traffic/runs", json{{"port", "mxa0"},
                                                              {"peer", "198.18.33.2"},
                                                              {"peer_tcp_port", tcp_port},
                                                              {"secret", secret},
                                                              {"duration_ms", 2000},
                                                              {"rate_mbps", 200}}
                                                             .dump());
  INFO(client_started.body);
  REQUIRE(client_started.status == 201);
  const std::string client_id = client_started.json().at("id");
  const auto flowing_by = std::chrono::steady_clock::now() + 30s;
  while (run_report(agent_b, server_id).at("bytes").get<std::uint64_t>() == 0) {
    REQUIRE(std::chrono::steady_clock::now() < flowing_by);
    std::this_thread::sleep_for(10ms);
  }

  // During the run, from the data network (host a's namespace): a hello without the secret, and
  // bytes that are no hello at all.
  const auto strangers = net.run_in(a, [&] {
    return std::vector<Stranger>{stranger_connects("198.18.33.2", tcp_port, hand_made_hello("")),
                                 stranger_connects("198.18.33.2", tcp_port, {})};
  });
  long stranger_bytes = early.sent;
  for (const auto& s : strangers) {
    CHECK(s.sent > 0);
    stranger_bytes += s.sent;
  }

  const json client = run_end(agent_a, client_id);
  const json received = run_end(agent_b, server_id);
  for (const auto& s : strangers) ::close(s.fd);
  ::close(early.fd);
  INFO(client.dump() << "\n" << received.dump());
  CHECK(client.at("state") == "done");
  CHECK(received.at("state") == "done");

  // The run's bytes are the announced client's, exactly: what it says the server confirmed.
  REQUIRE(client.at("bytes_confirmed").is_number());
  const std::uint64_t confirmed = client.at("bytes_confirmed");
  CHECK(confirmed > 0);
  CHECK(received.at("bytes").get<std::uint64_t>() == confirmed);
  CHECK(received.at("streams") == 1);
  CHECK(received.at("reconnects") == 0);
  CHECK(received.at("peer").get<std::string>().rfind("198.18.33.1", 0) == 0);
  // The strangers' bytes did cross the port (the kernel counted them), yet none is in the run.
  CHECK(rx_bytes(net, b, "mxb0") - rx_before >= confirmed + static_cast<std::uint64_t>(stranger_bytes));

  // Rejected and reported: the run's count and events, and the agent's /metrics.
  CHECK(received.at("rejected_connections") == 3);
  int rejected_events = 0, connected_events = 0;
  for (const auto& e : received.at("events")) {
    rejected_events += e.at("kind") == "rejected" ? 1 : 0;
    connected_events += e.at("kind") == "connected" ? 1 : 0;
  }
  CHECK(rejected_events == 3);
  CHECK(connected_events == 1);
  auto metrics = agent_b.get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("mixnet_agent_traffic_connections_rejected_total 3\n") != std::string::npos);

  // The secret was in the server's start answer and nowhere since.
  CHECK(run_report(agent_b, server_id).dump().find(secret) == std::string::npos);
  CHECK(agent_b.get("/v1/traffic/runs").body.find(secret) == std::string::npos);
  CHECK(run_report(agent_a, client_id).dump().find(secret) == std::string::npos);
  CHECK(agent_b.log().find(secret) == std::string::npos);
  CHECK(agent_a.log().find(secret) == std::string::npos);
}
