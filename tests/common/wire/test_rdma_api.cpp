// The RDMA wire types: options, the endpoint exchange message (encode, decode, strict validation
// naming the bad field) and the rdma parts of the /v1/traffic requests.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/wire/rdma_api.hpp"
#include "common/wire/traffic_api.hpp"

using namespace mixnet;
using namespace mixnet::wire;
using nlohmann::json;

namespace {

RdmaEndpoint sample_endpoint(std::uint32_t qps = 2) {
  RdmaEndpoint e;
  e.verb = RdmaVerb::write;
  e.size = 65536;
  for (std::uint32_t i = 0; i < qps; ++i) e.qps.push_back({.qpn = 0x1a2 + i, .psn = 0xabcde + i});
  e.gid = "0000:0000:0000:0000:0000:ffff:c612:2802";
  e.gid_index = 3;
  e.mtu = 4096;
  e.rkey = 0xdeadbeef;
  e.addr = 0x7f0000001000;
  e.buffer_bytes = 65536ULL * qps;
  return e;
}

std::string field_of(const json& j, const char* prefix = "endpoint") {
  auto r = parse_rdma_endpoint(j, prefix);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_argument);
  return r.error().field;
}

}  // namespace

TEST_CASE("rdma endpoint: encodes and decodes to the same message", "[rdma][wire]") {
  const RdmaEndpoint e = sample_endpoint();
  const json j = e;
  CHECK(j.at("qps").at(1).at("qpn") == 0x1a3);
  CHECK(j.at("verb") == "write");
  auto back = parse_rdma_endpoint(j, "endpoint");
  REQUIRE(back.has_value());
  CHECK(back->qps.size() == 2);
  CHECK(back->qps[1].psn == 0xabcdf);
  CHECK(back->gid == e.gid);
  CHECK(back->rkey == 0xdeadbeef);
  CHECK(back->addr == 0x7f0000001000);
  CHECK(back->mtu == 4096);
  CHECK(json(*back) == j);

  // Any IPv6 spelling of a GID becomes sysfs's canonical text.
  json short_gid = j;
  short_gid["gid"] = "::FFFF:198.18.40.2";
  CHECK(parse_rdma_endpoint(short_gid, "endpoint")->gid == "0000:0000:0000:0000:0000:ffff:c612:2802");
}

TEST_CASE("rdma endpoint: every bad field is named", "[rdma][wire]") {
  const json good = sample_endpoint();
  auto with = [&](const json::json_pointer& p, const json& v) {
    json j = good;
    j[p] = v;
    return j;
  };
  CHECK(field_of(with("/qps/1/psn"_json_pointer, 0x1000000)) == "endpoint.qps[1].psn");
  CHECK(field_of(with("/qps/0/qpn"_json_pointer, 1)) == "endpoint.qps[0].qpn");  // QP1 is special
  CHECK(field_of(with("/qps/1/qpn"_json_pointer, 0x1a2)) == "endpoint.qps[1].qpn");  // twice
  CHECK(field_of(with("/qps/0/extra"_json_pointer, 1)) == "endpoint.qps[0].extra");
  CHECK(field_of(with("/qps"_json_pointer, json::array())) == "endpoint.qps");
  CHECK(field_of(with("/mtu"_json_pointer, 1500)) == "endpoint.mtu");
  CHECK(field_of(with("/gid"_json_pointer, "not-a-gid")) == "endpoint.gid");
  CHECK(field_of(with("/gid"_json_pointer, "::")) == "endpoint.gid");  // zero GID, LID 0
  CHECK(field_of(with("/lid"_json_pointer, 70000)) == "endpoint.lid");
  CHECK(field_of(with("/rkey"_json_pointer, -1)) == "endpoint.rkey");
  CHECK(field_of(with("/buffer_bytes"_json_pointer, 65536)) == "endpoint.buffer_bytes");  // < size x qps
  CHECK(field_of(with("/addr"_json_pointer, UINT64_MAX)) == "endpoint.addr");  // wraps
  CHECK(field_of(with("/verb"_json_pointer, "atomic")) == "endpoint.verb");
  CHECK(field_of(with("/version"_json_pointer, 2)) == "endpoint.version");
  CHECK(field_of(with("/size"_json_pointer, 0)) == "endpoint.size");
  CHECK(field_of(with("/qpn"_json_pointer, 5)) == "endpoint.qpn");  // unknown key
  json missing = good;
  missing.erase("rkey");
  CHECK(field_of(missing) == "endpoint.rkey");
  CHECK(field_of(json::array()) == "endpoint");
}

TEST_CASE("rdma options: perftest's defaults and bounds", "[rdma][wire]") {
  auto server = parse_rdma_options(json::object(), "rdma", false);
  REQUIRE(server.has_value());
  CHECK(server->verb == RdmaVerb::write);
  CHECK(server->size == 65536);
  CHECK(server->tx_depth == 128);
  CHECK(server->qps == 1);
  CHECK(server->cq_mod == 100);
  CHECK_FALSE(server->gid_index.has_value());

  auto field = [](const json& j, bool client) {
    auto r = parse_rdma_options(j, "rdma", client);
    REQUIRE_FALSE(r.has_value());
    return r.error().field;
  };
  CHECK(field({{"iterations", 10}}, false) == "rdma.iterations");  // a server has no iterations
  CHECK(field({{"verb", "atomic"}}, false) == "rdma.verb");
  CHECK(field({{"size", 0}}, false) == "rdma.size");
  CHECK(field({{"qps", 65}}, false) == "rdma.qps");
  CHECK(field({{"tx_depth", 64}, {"cq_mod", 100}, {"peer", json(sample_endpoint(1))}}, true) == "rdma.cq_mod");
  CHECK(field({{"gid_index", 5000}}, false) == "rdma.gid_index");
  CHECK(field(json::object(), true) == "rdma.peer");
  CHECK(field({{"qps", 1}, {"peer", json(sample_endpoint(2))}}, true) == "rdma.qps");
  CHECK(field({{"qps", 2}, {"size", 4096}, {"peer", json(sample_endpoint(2))}}, true) == "rdma.size");
  CHECK(field({{"qps", 2}, {"verb", "read"}, {"peer", json(sample_endpoint(2))}}, true) == "rdma.verb");
  json bad_peer = sample_endpoint(2);
  bad_peer["qps"][0]["qpn"] = 0;
  CHECK(field({{"qps", 2}, {"peer", bad_peer}}, true) == "rdma.peer.qps[0].qpn");

  auto client = parse_rdma_options({{"qps", 2}, {"iterations", 20000}, {"cq_mod", 64}, {"gid_index", 3},
                                    {"peer", json(sample_endpoint(2))}},
                                   "rdma", true);
  REQUIRE(client.has_value());
  CHECK(client->iterations == 20000u);
  CHECK(client->gid_index == 3u);
  CHECK(client->peer->qps.size() == 2);
}

// transport rdma: perftest's defaults apply, TCP-only fields and impossible durations are refused naming the field.
TEST_CASE("traffic requests with transport rdma", "[rdma][wire]") {
  const json endpoint = sample_endpoint(1);
  const json base = {{"port", "ens1f0"}, {"transport", "rdma"}, {"peer", "198.18.40.2"}, {"rdma", {{"peer", endpoint}}}};
  auto run = parse_traffic_run_request(base);
  REQUIRE(run.has_value());
  REQUIRE(run->rdma.has_value());
  CHECK(run->rdma->iterations == 5000u);  // perftest's -n default when no duration is given
  CHECK_FALSE(run->duration_ms.has_value());

  auto field = [](const json& j) {
    auto r = parse_traffic_run_request(j);
    REQUIRE_FALSE(r.has_value());
    return r.error().field;
  };
  json j = base;
  j["peer_tcp_port"] = 5201;
  CHECK(field(j) == "peer_tcp_port");
  j = base;
  j["streams"] = 2;
  CHECK(field(j) == "streams");
  j = base;
  j["bytes"] = 1000;
  CHECK(field(j) == "bytes");
  j = base;
  j.erase("rdma");
  CHECK(field(j) == "rdma");
  j = base;
  j["duration_ms"] = 5000;
  j["rdma"]["iterations"] = 10;
  CHECK(field(j) == "rdma.iterations");
  j = base;
  j["duration_ms"] = 3000;  // default margin 2000 ms from each end does not fit
  CHECK(field(j) == "rdma.margin_ms");
  j["rdma"]["margin_ms"] = 500;
  auto duration = parse_traffic_run_request(j);
  REQUIRE(duration.has_value());
  CHECK_FALSE(duration->rdma->iterations.has_value());

  // An rdma object with transport tcp is a mistake, not ignored.
  json tcp = {{"port", "ens1f0"}, {"peer", "198.18.40.2"}, {"peer_tcp_port", 5201}, {"duration_ms", 10},
              {"secret", "000102030405060708090a0b0c0d0e0f"},
              {"rdma", json::object()}};
  CHECK(field(tcp) == "rdma");

  auto server = parse_traffic_server_request({{"port", "ens1f0"}, {"transport", "rdma"},
                                              {"rdma", {{"verb", "send"}, {"qps", 4}}}});
  REQUIRE(server.has_value());
  CHECK(server->rdma->verb == RdmaVerb::send);
  CHECK(server->rdma->qps == 4);
  auto server_default = parse_traffic_server_request({{"port", "ens1f0"}, {"transport", "rdma"}});
  REQUIRE(server_default.has_value());
  CHECK(server_default->rdma.has_value());

  auto peer = parse_traffic_peer_body(json{{"endpoint", endpoint}}.dump());
  REQUIRE(peer.has_value());
  CHECK(peer->endpoint.qps.size() == 1);
  auto no_endpoint = parse_traffic_peer_body("{}");
  REQUIRE_FALSE(no_endpoint.has_value());
  CHECK(no_endpoint.error().field == "endpoint");
  auto bad = parse_traffic_peer_body(json{{"endpoint", {{"version", 1}}}}.dump());
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().field == "endpoint.verb");
}

TEST_CASE("rdma run report survives JSON both ways", "[rdma][wire]") {
  TrafficRunReport r;
  r.id = "tr-3";
  r.role = "client";
  r.transport = "rdma";
  RdmaRunReport rdma;
  rdma.device = "mlx5_0";
  rdma.port = 1;
  rdma.gid_index = 3;
  rdma.gid = "0000:0000:0000:0000:0000:ffff:c612:2801";
  rdma.gid_type = "RoCE v2";
  rdma.size = 65536;
  rdma.qps = 2;
  rdma.endpoint = sample_endpoint(2);
  rdma.bandwidth = RdmaBandwidth{.messages = 10000, .bytes = 655360000, .first_post_ns = 1, .last_completion_ns = 2,
                                 .average_gbps = 97.1, .peak_gbps = std::nullopt, .message_rate_mpps = 0.18};
  r.rdma = rdma;
  const json j = r;
  CHECK(j.at("rdma").at("bandwidth").at("peak_gbps").is_null());
  auto back = decode_traffic_run_report(j);
  REQUIRE(back.has_value());
  REQUIRE(back->rdma.has_value());
  CHECK(back->rdma->gid_type == "RoCE v2");
  CHECK(back->rdma->bandwidth->average_gbps == Approx(97.1));
  CHECK(back->rdma->endpoint->qps.size() == 2);
  TrafficRunReport tcp;
  CHECK_FALSE(json(tcp).contains("rdma"));
}
