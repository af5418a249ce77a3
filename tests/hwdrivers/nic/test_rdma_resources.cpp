// RdmaResources: created in order, released in reverse on every path, every verbs failure named.
// Driven through FakeVerbs (which records create/destroy order) and, for the device list, the
// real libibverbs of this machine (no RDMA device, no kernel RDMA support).
#include <catch2/catch.hpp>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hwdrivers/nic/rdma_resources.hpp"
#include "hwdrivers/nic/verbs_handles.hpp"
#include "tests/hwdrivers/nic/fake_verbs.hpp"

using namespace mixnet;
using namespace mixnet::nic;
using mixnet::testing::FakeVerbs;

namespace {

RdmaResourceSpec two_qps() {
  return RdmaResourceSpec{.device = "mlx5_0", .port = 1, .gid_index = 3, .qps = 2, .send_depth = 128,
                          .recv_depth = 2, .buffer_bytes = 2 * 65536, .remote_access = true};
}

std::vector<std::string> with_prefix(const std::vector<std::string>& log, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& l : log) {
    if (l.rfind(prefix, 0) == 0) out.push_back(l.substr(prefix.size()));
  }
  return out;
}

// Whatever was created was destroyed, last first.
void check_reverse_release(const FakeVerbs& fake) {
  auto created = with_prefix(fake.log, "create ");
  const auto destroyed = with_prefix(fake.log, "destroy ");
  std::reverse(created.begin(), created.end());
  CHECK(destroyed == created);
  CHECK(fake.live() == 0);
}

}  // namespace

TEST_CASE("rdma resources: created in order, released in reverse", "[rdma][resources]") {
  FakeVerbs fake;
  {
    auto res = RdmaResources::open(fake, two_qps());
    REQUIRE(res.has_value());
    CHECK(fake.log == std::vector<std::string>{"create device_list", "create context", "create pd", "create mr",
                                               "create cq", "create qp#1", "create qp#2"});
    // Both QPs went to INIT on the right port with remote access.
    REQUIRE(fake.modifies.size() == 2);
    CHECK(fake.modifies[0].qp_state == IBV_QPS_INIT);
    CHECK(fake.modifies[0].port_num == 1);
    CHECK((fake.modifies[0].qp_access_flags & IBV_ACCESS_REMOTE_WRITE) != 0);

    const auto e = (*res)->endpoint(wire::RdmaVerb::write, 65536);
    REQUIRE(e.qps.size() == 2);
    CHECK(e.qps[0].qpn == 0x101);
    CHECK(e.qps[1].qpn == 0x102);
    CHECK(e.qps[0].psn <= 0xFFFFFFu);
    CHECK(e.rkey == 0x2222);
    CHECK(e.gid == "0000:0000:0000:0000:0000:ffff:c612:2801");
    CHECK(e.gid_index == 3);
    CHECK(e.mtu == 1024);
    CHECK(e.buffer_bytes == 2 * 65536);
    CHECK(e.addr == reinterpret_cast<std::uintptr_t>((*res)->buffer()));
    CHECK(e.addr % 4096 == 0);
    // The message goes through the wire validator unchanged.
    CHECK(wire::parse_rdma_endpoint(nlohmann::json(e), "endpoint").has_value());
  }
  CHECK(fake.log == std::vector<std::string>{"create device_list", "create context", "create pd", "create mr",
                                             "create cq", "create qp#1", "create qp#2", "destroy qp#2", "destroy qp#1",
                                             "destroy cq", "destroy mr", "destroy pd", "destroy context",
                                             "destroy device_list"});
  check_reverse_release(fake);
}

TEST_CASE("rdma resources: a failure at any step releases what exists, in reverse, naming the verb",
          "[rdma][resources]") {
  const std::vector<std::pair<std::string, std::string>> steps{
      {"open_device", "ibv_open_device on mlx5_0: Cannot allocate memory"},
      {"query_device", "ibv_query_device on mlx5_0: Cannot allocate memory"},
      {"query_port", "ibv_query_port on mlx5_0 port 1: Cannot allocate memory"},
      {"query_gid", "ibv_query_gid on mlx5_0 port 1 index 3: Cannot allocate memory"},
      {"alloc_pd", "ibv_alloc_pd on mlx5_0: Cannot allocate memory"},
      {"reg_mr", "ibv_reg_mr on mlx5_0 (131072 bytes): Cannot allocate memory"},
      {"create_cq", "ibv_create_cq on mlx5_0: Cannot allocate memory"},
      {"create_qp#2", "ibv_create_qp on mlx5_0 (QP 2 of 2): Cannot allocate memory"},
      {"modify_qp:INIT#2", "ibv_modify_qp(INIT) on mlx5_0 QP 1 (qpn 258): Cannot allocate memory"},
  };
  for (const auto& [verb, message] : steps) {
    FakeVerbs fake;
    fake.fail_verb = verb;
    auto res = RdmaResources::open(fake, two_qps());
    INFO(verb);
    REQUIRE_FALSE(res.has_value());
    CHECK(res.error().message == message);
    CHECK_FALSE(fake.log.empty());
    check_reverse_release(fake);
  }
}

TEST_CASE("rdma resources: connect takes every QP through RTR and RTS against the peer", "[rdma][resources]") {
  FakeVerbs fake;
  auto res = RdmaResources::open(fake, two_qps());
  REQUIRE(res.has_value());
  wire::RdmaEndpoint peer;
  peer.qps = {{.qpn = 0x500, .psn = 77}, {.qpn = 0x501, .psn = 78}};
  peer.gid = "0000:0000:0000:0000:0000:ffff:c612:2802";
  peer.mtu = 4096;  // ours is 1024: the path takes the smaller
  REQUIRE((*res)->connect(peer).has_value());
  REQUIRE(fake.modifies.size() == 6);  // INIT x2, then RTR, RTS per QP
  const ibv_qp_attr& rtr = fake.modifies[2];
  CHECK(rtr.qp_state == IBV_QPS_RTR);
  CHECK(rtr.dest_qp_num == 0x500);
  CHECK(rtr.rq_psn == 77);
  CHECK(rtr.path_mtu == IBV_MTU_1024);
  CHECK(rtr.ah_attr.is_global == 1);
  CHECK(rtr.ah_attr.grh.sgid_index == 3);
  CHECK(rtr.ah_attr.grh.dgid.raw[15] == 0x02);
  CHECK(rtr.ah_attr.grh.dgid.raw[11] == 0xff);
  CHECK(rtr.max_dest_rd_atomic == 16);
  const ibv_qp_attr& rts = fake.modifies[3];
  CHECK(rts.qp_state == IBV_QPS_RTS);
  CHECK(rts.sq_psn == (*res)->endpoint(wire::RdmaVerb::write, 65536).qps[0].psn);
  CHECK(rts.timeout == 14);
  CHECK(rts.retry_cnt == 7);
  CHECK(fake.modifies[4].dest_qp_num == 0x501);

  peer.qps.pop_back();
  auto wrong = (*res)->connect(peer);
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().field == "endpoint.qps");
}

TEST_CASE("rdma resources: a failed RTR names the stage and the QP", "[rdma][resources]") {
  FakeVerbs fake;
  fake.fail_verb = "modify_qp:RTR";
  fake.fail_errno = EINVAL;
  {
    auto res = RdmaResources::open(fake, two_qps());
    REQUIRE(res.has_value());
    wire::RdmaEndpoint peer;
    peer.qps = {{.qpn = 0x500, .psn = 1}, {.qpn = 0x501, .psn = 2}};
    peer.gid = "fe80::1";
    auto r = (*res)->connect(peer);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "ibv_modify_qp(RTR) on mlx5_0 QP 0 (qpn 257): Invalid argument");
  }
  check_reverse_release(fake);
}

TEST_CASE("rdma resources: no device, the wrong device, a port that is down", "[rdma][resources]") {
  {
    FakeVerbs fake;
    fake.list_fails = true;  // what libibverbs answers where the kernel has no RDMA support
    auto r = RdmaResources::open(fake, two_qps());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::unavailable);
    CHECK(r.error().message ==
          "RDMA device mlx5_0: ibv_get_device_list: Function not implemented (the kernel has no RDMA support)");
    CHECK(fake.live() == 0);
  }
  {
    FakeVerbs fake;
    fake.devices = 0;
    auto r = RdmaResources::open(fake, two_qps());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "RDMA device mlx5_0: libibverbs lists no devices");
    check_reverse_release(fake);
  }
  {
    FakeVerbs fake;
    fake.devices = 2;
    auto spec = two_qps();
    spec.device = "mlx5_7";
    auto r = RdmaResources::open(fake, spec);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "RDMA device mlx5_7: libibverbs lists only mlx5_0, mlx5_1");
    check_reverse_release(fake);
  }
  {
    FakeVerbs fake;
    fake.port.state = IBV_PORT_DOWN;
    auto r = RdmaResources::open(fake, two_qps());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::unavailable);
    CHECK(r.error().message == "mlx5_0 port 1 is not ACTIVE (state 1)");
    check_reverse_release(fake);
  }
}

TEST_CASE("rdma resources on this machine's real libibverbs", "[rdma][resources][verbs]") {
  const auto list = detail::get_device_list();
  auto r = RdmaResources::open(real_verbs(), two_qps());
  if (list.count == 0) {
    // No RDMA device here (the usual CI case): a clear refusal, nothing leaked or crashed.
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::unavailable);
    CHECK_THAT(r.error().message, Catch::StartsWith("RDMA device mlx5_0: "));
    const bool says_why = r.error().message.find("ibv_get_device_list") != std::string::npos ||
                          r.error().message.find("libibverbs lists no devices") != std::string::npos;
    CHECK(says_why);
  } else {
    // A host with devices: it opens mlx5_0, or says precisely why not.
    if (!r) CHECK_THAT(r.error().message, Catch::Contains("mlx5_0"));
  }
}
