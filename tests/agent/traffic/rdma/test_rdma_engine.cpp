// The RDMA engine end to end on FakeVerbs and fixture sysfs trees: refusals with the reason,
// the exchange (server endpoint -> client -> client endpoint -> server's /peer -> READY -> DONE),
// perftest's loop and figures, failures mid-run, cancellation, and the reverse release after.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <thread>

#include "agent/traffic/rdma/bw_loop.hpp"
#include "agent/traffic/rdma/rdma_engine.hpp"
#include "agent/traffic/rdma/rdma_plan.hpp"
#include "tests/hwdrivers/nic/fake_verbs.hpp"
#include "tests/hwdrivers/nic/sysfs_fixture.hpp"

using namespace mixnet;
using namespace mixnet::agent::traffic;
using namespace mixnet::agent::traffic::rdma;
using mixnet::testing::FakeVerbs;
using mixnet::testing::SysfsFixture;
using namespace std::chrono_literals;

namespace {

wire::RdmaEndpoint server_endpoint(std::uint32_t qps, std::uint32_t size = 65536) {
  wire::RdmaEndpoint e;
  e.size = size;
  for (std::uint32_t i = 0; i < qps; ++i) e.qps.push_back({.qpn = 0x900 + i, .psn = 5 + i});
  e.gid = "0000:0000:0000:0000:0000:ffff:c612:2802";
  e.mtu = 1024;
  e.rkey = 0x77;
  e.addr = 0x10000;
  e.buffer_bytes = static_cast<std::uint64_t>(size) * qps;
  return e;
}

TrafficSpec client_spec(std::uint32_t qps, std::optional<std::uint64_t> iterations) {
  TrafficSpec s;
  s.role = Role::client;
  s.transport = "rdma";
  s.port = "ens1f0";
  s.local_address = "198.18.40.1";
  s.peer = "198.18.40.2";
  s.accept_timeout = 5000ms;
  wire::RdmaOptions o;
  o.qps = qps;
  o.iterations = iterations;
  o.peer = server_endpoint(qps);
  s.rdma = o;
  return s;
}

TrafficSpec server_spec(std::uint32_t qps) {
  TrafficSpec s;
  s.role = Role::server;
  s.transport = "rdma";
  s.port = "ens1f0";
  s.local_address = "198.18.40.2";
  s.duration = 10000ms;
  s.accept_timeout = 5000ms;
  wire::RdmaOptions o;
  o.qps = qps;
  s.rdma = o;
  return s;
}

RdmaScanner fixture_scanner(const SysfsFixture& t) {
  const auto root = t.root();
  return [root] { return nic::scan_rdma_sysfs(root); };
}

// Bounded wait for a run to finish.
wire::TrafficRunReport wait_finished(TrafficRun& run, std::chrono::seconds limit = 20s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!is_finished(run.state()) && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(2ms);
  return run.report(true);
}

}  // namespace

TEST_CASE("rdma engine: a port without an RDMA device is refused with the reason", "[rdma][engine]") {
  FakeVerbs fake;
  RdmaEngine engine(fake, [] { return nic::scan_rdma_sysfs("/nonexistent-mxt-infiniband"); });
  CHECK(engine.transport() == "rdma");
  auto spec = server_spec(1);
  spec.port = "ocs0";
  auto r = engine.start("tr-1", spec);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::unavailable);
  CHECK(r.error().field == "port");
  CHECK(r.error().message == "port ocs0 has no RDMA device: no RDMA devices (/nonexistent-mxt-infiniband is absent)");
  CHECK(fake.calls.empty());  // refused before any verbs call

  RdmaEngine broken(fake, [] { return std::expected<nic::RdmaScan, Error>(std::unexpected(Error{Errc::io, "list: denied", {}})); });
  auto b = broken.start("tr-2", spec);
  REQUIRE_FALSE(b.has_value());
  CHECK_THAT(b.error().message, Catch::StartsWith("port ocs0 has no RDMA device: the RDMA inventory is unreadable"));
}

TEST_CASE("rdma engine: sysfs says a device exists but libibverbs has none (this kernel)", "[rdma][engine]") {
  SysfsFixture t;
  t.roce_host();
  FakeVerbs fake;
  fake.list_fails = true;
  RdmaEngine engine(fake, fixture_scanner(t));
  auto r = engine.start("tr-1", server_spec(1));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message ==
        "port ens1f0: RDMA device mlx5_0: ibv_get_device_list: Function not implemented (the kernel has no RDMA "
        "support)");
}

TEST_CASE("rdma plan: parameters checked before any verbs call", "[rdma][engine]") {
  SysfsFixture t;
  t.roce_host();
  auto scan = nic::scan_rdma_sysfs(t.root());
  REQUIRE(scan.has_value());
  auto field = [&](const TrafficSpec& s) {
    auto p = plan_rdma_run(s, *scan);
    REQUIRE_FALSE(p.has_value());
    return p.error().field;
  };
  auto s = client_spec(2, 1000);
  s.rdma->peer.reset();
  CHECK(field(s) == "rdma.peer");
  s = client_spec(2, 1000);
  s.rdma->cq_mod = 200;
  CHECK(field(s) == "rdma.cq_mod");
  s = client_spec(2, 1000);
  s.duration = 5000ms;
  CHECK(field(s) == "rdma.iterations");
  s = client_spec(2, std::nullopt);
  s.duration = 3000ms;
  CHECK(field(s) == "rdma.margin_ms");
  s = client_spec(2, 1000);
  s.rdma->peer = server_endpoint(1);
  CHECK(field(s) == "rdma.peer");
  s = client_spec(2, 1000);
  s.rdma->gid_index = 6;
  CHECK(field(s) == "rdma.gid_index");

  auto server = plan_rdma_run(server_spec(4), *scan);
  REQUIRE(server.has_value());
  CHECK(server->target.device == "mlx5_0");
  CHECK(server->target.gid.index == 3);  // 198.18.40.2 is not in the table: IPv4-mapped RoCE v2
  CHECK(server->resources.buffer_bytes == 4 * 65536);
  CHECK(server->resources.remote_access);
  auto send_server = server_spec(2);
  send_server.rdma->verb = wire::RdmaVerb::send;
  CHECK(plan_rdma_run(send_server, *scan)->resources.recv_depth == 128);  // a receive per message in flight

  auto client = plan_rdma_run(client_spec(2, 1000), *scan);
  REQUIRE(client.has_value());
  CHECK(client->loop.remote_addr == 0x10000);
  CHECK(client->loop.rkey == 0x77);
  CHECK(client->loop.iterations == 1000u);
  CHECK_FALSE(client->resources.remote_access);
}

TEST_CASE("rdma client: READY, perftest's loop, DONE, and the figures", "[rdma][engine]") {
  SysfsFixture t;
  t.roce_host();
  FakeVerbs fake;
  {
    RdmaEngine engine(fake, fixture_scanner(t));
    auto spec = client_spec(2, 1000);
    spec.timeline = wire::TimelineOptions{};
    auto run = engine.start("tr-5", spec);
    REQUIRE(run.has_value());
    const auto first = (*run)->report(false);
    REQUIRE(first.rdma.has_value());
    CHECK(first.state == "starting");
    CHECK(first.rdma->peer_connected);
    CHECK(first.rdma->device == "mlx5_0");
    CHECK(first.rdma->gid_index == 3);
    CHECK(first.rdma->gid_type == "RoCE v2");
    REQUIRE(first.rdma->endpoint.has_value());
    CHECK(first.rdma->endpoint->qps.size() == 2);  // for the server's /peer
    // Its QPs are at RTS against the server's before the reply.
    REQUIRE(fake.modifies.size() == 6);
    CHECK(fake.modifies[2].dest_qp_num == 0x900);
    CHECK(fake.modifies[4].dest_qp_num == 0x901);

    fake.deliver_imm(kImmReady);
    const auto r = wait_finished(**run);
    INFO(nlohmann::json(r).dump());
    REQUIRE(r.state == "done");
    CHECK(r.errors.empty());
    CHECK(r.bytes == 2ULL * 1000 * 65536);  // every message counted, per QP
    REQUIRE(r.per_stream.size() == 2);
    CHECK(r.per_stream[0].bytes == 1000ULL * 65536);
    REQUIRE(r.rdma->bandwidth.has_value());
    const auto& bw = *r.rdma->bandwidth;
    CHECK(bw.messages == 2000);
    CHECK(bw.bytes == 2000ULL * 65536);
    CHECK(bw.last_completion_ns > bw.first_post_ns);
    CHECK(bw.average_gbps ==
          Approx(2000.0 * 65536 * 8 / static_cast<double>(bw.last_completion_ns - bw.first_post_ns)));
    REQUIRE(bw.peak_gbps.has_value());  // 1000 iterations: perftest computes a peak
    CHECK(*bw.peak_gbps >= bw.average_gbps * 0.999);
    // One in cq_mod (100) signalled: 10 per QP, plus DONE.
    CHECK(fake.signalled == 2 * 10 + 1);
    CHECK(fake.sends == 2 * 1000 + 1);
    CHECK(fake.control_imms == std::vector<std::uint32_t>{kImmDone});
    // Timeline: the completions' bytes, in 1 ms bins.
    REQUIRE(r.timeline.has_value());
    std::uint64_t binned = 0;
    for (auto b : r.timeline->bins) binned += b;
    CHECK(binned + r.timeline->overflow_bytes == r.bytes);
  }
  // The run is gone: every verbs object released, QPs first.
  CHECK(fake.live() == 0);
  CHECK(fake.log.back() == "destroy device_list");
  CHECK(std::find(fake.log.begin(), fake.log.end(), "destroy qp#2") <
        std::find(fake.log.begin(), fake.log.end(), "destroy qp#1"));
}

TEST_CASE("rdma client: no peak above 20000 iterations or in duration mode", "[rdma][engine]") {
  SysfsFixture t;
  t.roce_host();
  {
    FakeVerbs fake;
    RdmaEngine engine(fake, fixture_scanner(t));
    auto run = engine.start("tr-6", client_spec(1, 20001));
    REQUIRE(run.has_value());
    fake.deliver_imm(kImmReady);
    const auto r = wait_finished(**run);
    REQUIRE(r.state == "done");
    CHECK(r.rdma->bandwidth->messages == 20001);
    CHECK_FALSE(r.rdma->bandwidth->peak_gbps.has_value());
    CHECK(fake.signalled == 201 + 1);  // 200 full windows, the last WR, DONE
  }
  {
    FakeVerbs fake;
    RdmaEngine engine(fake, fixture_scanner(t));
    auto spec = client_spec(1, std::nullopt);
    spec.duration = 300ms;
    spec.rdma->margin_ms = 100;
    auto run = engine.start("tr-7", spec);
    REQUIRE(run.has_value());
    fake.deliver_imm(kImmReady);
    const auto r = wait_finished(**run);
    REQUIRE(r.state == "done");
    const auto& bw = *r.rdma->bandwidth;
    CHECK_FALSE(bw.peak_gbps.has_value());
    CHECK(bw.messages > 0);
    CHECK(bw.messages % 100 == 0);  // counted per completion, cq_mod messages each
    CHECK(bw.bytes < r.bytes);      // the margins are not counted
    CHECK(bw.last_completion_ns > bw.first_post_ns);  // the sample window, between the margins
  }
}

TEST_CASE("rdma client: a failed completion, a silent server, a cancel", "[rdma][engine]") {
  SysfsFixture t;
  t.roce_host();
  {
    FakeVerbs fake;
    fake.wc_status_at_send = 3;
    RdmaEngine engine(fake, fixture_scanner(t));
    auto run = engine.start("tr-8", client_spec(1, 1000));
    REQUIRE(run.has_value());
    fake.deliver_imm(kImmReady);
    const auto r = wait_finished(**run);
    REQUIRE(r.state == "failed");
    REQUIRE_FALSE(r.errors.empty());
    CHECK_THAT(r.errors.front(), Catch::Contains("RDMA write completion failed: transport retry counter exceeded"));
    CHECK_FALSE(r.rdma->bandwidth.has_value());
  }
  {
    FakeVerbs fake;
    RdmaEngine engine(fake, fixture_scanner(t));
    auto spec = client_spec(1, 1000);
    spec.accept_timeout = 150ms;
    auto run = engine.start("tr-9", spec);
    REQUIRE(run.has_value());
    const auto r = wait_finished(**run);
    REQUIRE(r.state == "failed");
    REQUIRE_FALSE(r.errors.empty());
    CHECK_THAT(r.errors.front(), Catch::StartsWith("the server did not say READY within accept_timeout_ms (150 ms)"));
    CHECK(fake.sends == 0);
  }
  {
    FakeVerbs fake;
    RdmaEngine engine(fake, fixture_scanner(t));
    auto run = engine.start("tr-10", client_spec(1, 1000));
    REQUIRE(run.has_value());
    (*run)->cancel();
    CHECK(wait_finished(**run).state == "cancelled");
  }
  {
    FakeVerbs fake;
    fake.fail_verb = "post_send#7";
    fake.fail_errno = ENOMEM;
    RdmaEngine engine(fake, fixture_scanner(t));
    auto run = engine.start("tr-11", client_spec(1, 1000));
    REQUIRE(run.has_value());
    fake.deliver_imm(kImmReady);
    const auto r = wait_finished(**run);
    REQUIRE(r.state == "failed");
    REQUIRE_FALSE(r.errors.empty());
    CHECK_THAT(r.errors.front(), Catch::Contains("ibv_post_send on mlx5_0 QP 0 (message 6): Cannot allocate memory"));
  }
}

TEST_CASE("rdma server: endpoint in the reply, the client's through attach_peer, READY, DONE", "[rdma][engine]") {
  SysfsFixture t;
  t.roce_host();
  FakeVerbs fake;
  {
    RdmaEngine engine(fake, fixture_scanner(t));
    auto run = engine.start("tr-1", server_spec(2));
    REQUIRE(run.has_value());
    const auto first = (*run)->report(false);
    CHECK(first.state == "starting");
    REQUIRE(first.rdma->endpoint.has_value());
    CHECK(first.rdma->endpoint->rkey == 0x2222);
    CHECK_FALSE(first.rdma->peer_connected);
    CHECK(fake.modifies.size() == 2);  // INIT only until the client's endpoint comes

    auto client = server_endpoint(1);  // wrong QP count: refused, naming the field
    auto bad = (*run)->attach_peer(client);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().field == "endpoint.qps");

    client = server_endpoint(2);
    REQUIRE((*run)->attach_peer(client).has_value());
    CHECK(fake.control_imms == std::vector<std::uint32_t>{kImmReady});
    CHECK(fake.modifies.size() == 6);
    auto twice = (*run)->attach_peer(client);
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().code == Errc::conflict);

    fake.deliver_imm(kImmDone);
    const auto r = wait_finished(**run);
    REQUIRE(r.state == "done");
    CHECK(r.rdma->peer_connected);
    CHECK(r.peer == client.gid);
  }
  CHECK(fake.live() == 0);
}

TEST_CASE("rdma server: no client endpoint by accept_timeout fails, saying what to post", "[rdma][engine]") {
  SysfsFixture t;
  t.roce_host();
  FakeVerbs fake;
  RdmaEngine engine(fake, fixture_scanner(t));
  auto spec = server_spec(1);
  spec.accept_timeout = 100ms;
  auto run = engine.start("tr-4", spec);
  REQUIRE(run.has_value());
  const auto r = wait_finished(**run);
  REQUIRE(r.state == "failed");
  REQUIRE_FALSE(r.errors.empty());
  CHECK_THAT(r.errors.front(), Catch::Contains("POST /v1/traffic/runs/tr-4/peer"));
  // A finished run takes no peer.
  CHECK((*run)->attach_peer(server_endpoint(1)).error().code == Errc::conflict);
}

TEST_CASE("bw loop: a peer that never completes ends the loop at its deadline", "[rdma][engine]") {
  FakeVerbs fake;
  fake.complete_sends = false;  // the peer is gone: nothing ever completes
  auto res = nic::RdmaResources::open(fake, nic::RdmaResourceSpec{.device = "mlx5_0", .port = 1, .gid_index = 0,
                                                                  .qps = 1, .send_depth = 129, .recv_depth = 1,
                                                                  .buffer_bytes = 4096, .remote_access = false});
  REQUIRE(res.has_value());
  std::int64_t fake_now = 0;
  const auto clock = [&] { return fake_now += 1'000'000; };  // 1 ms per reading
  const std::atomic<bool> cancel{false};
  BwLoopConfig config{.size = 4096, .iterations = 1000, .deadline_ns = 50'000'000};
  auto r = run_bw_loop(**res, config, cancel, nullptr, clock);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::timeout);
  CHECK_THAT(r.error().message, Catch::Contains("0 of 1000 messages completed"));
  CHECK(fake.sends == 128);  // tx_depth outstanding, then nothing more could be posted
}
