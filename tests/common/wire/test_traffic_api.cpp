// Validation of the traffic API's requests: every bad input is refused with the field named.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/wire/traffic_api.hpp"

using namespace mixnet;
using namespace mixnet::wire;
using nlohmann::json;

namespace {

template <class T>
std::string field_or_accepted(const Result<T>& r) {
  return r ? std::string("(accepted)") : r.error().field;
}

const char* kSecret = "000102030405060708090a0b0c0d0e0f";
const char* kClient =
    R"({"port":"eth1","peer":"198.18.0.2","peer_tcp_port":5201,"duration_ms":1000,"secret":"000102030405060708090a0b0c0d0e0f"})";

// kClient with one key set (or removed when value is null).
std::string client_with(const std::string& key, const json& value) {
  json j = json::parse(kClient);
  if (value.is_null()) j.erase(key);
  else j[key] = value;
  return j.dump();
}

// A finished TCP client's report on eth1, the rest left at its defaults.
TrafficRunReport finished_client(std::string id) {
  TrafficRunReport r;
  r.id = std::move(id);
  r.role = "client";
  r.transport = "tcp";
  r.port = "eth1";
  r.state = "done";
  return r;
}

}  // namespace

TEST_CASE("traffic server requests: defaults and valid shapes", "[wire][traffic]") {
  auto r = parse_traffic_server_body(R"({"port":"eth1"})");
  REQUIRE(r);
  CHECK(r->port == "eth1");
  CHECK(r->transport == "tcp");
  CHECK(r->tcp_port == 0);
  CHECK(r->duration_ms == kDefaultServerDurationMs);
  CHECK(r->accept_timeout_ms == kDefaultAcceptTimeoutMs);
  CHECK(r->interval_ms == kDefaultTrafficIntervalMs);
  CHECK_FALSE(r->timeline);

  auto t = parse_traffic_server_body(R"({"port":"eth1","tcp_port":5201,"timeline":true,"duration_ms":10000})");
  REQUIRE(t);
  CHECK(t->tcp_port == 5201);
  REQUIRE(t->timeline);
  CHECK(t->timeline->bin_us == 1000u);  // 1 ms bins unless asked otherwise

  auto b = parse_traffic_server_body(R"({"port":"eth1","timeline":{"bin_us":250,"gap_min_us":0}})");
  REQUIRE(b);
  CHECK(b->timeline->bin_us == 250u);
  CHECK(b->timeline->gap_min_us == 0u);
  CHECK_FALSE(parse_traffic_server_body(R"({"port":"eth1","timeline":false})")->timeline);
}

TEST_CASE("traffic server requests: the sink mode, discard by default, copy on request", "[wire][traffic]") {
  auto d = parse_traffic_server_body(R"({"port":"eth1"})");
  REQUIRE(d);
  CHECK(d->sink == TcpSink::discard);
  CHECK(json(*d)["sink"] == "discard");  // the request the coordinator sends says what it asked for

  auto c = parse_traffic_server_body(R"({"port":"eth1","sink":"copy"})");
  REQUIRE(c);
  CHECK(c->sink == TcpSink::copy);
  CHECK(json(*c)["sink"] == "copy");
  auto back = parse_traffic_server_request(json(*c));  // what to_json writes, the parser takes
  REQUIRE(back);
  CHECK(back->sink == TcpSink::copy);
  auto e = parse_traffic_server_body(R"({"port":"eth1","sink":"discard"})");
  REQUIRE(e);
  CHECK(e->sink == TcpSink::discard);

  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","sink":"COPY"})")) == "sink");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","sink":""})")) == "sink");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","sink":1})")) == "sink");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","sink":null})")) == "sink");
  CHECK(parse_traffic_server_body(R"({"port":"eth1","sink":"none"})").error().code == Errc::invalid_argument);
  // An RDMA server never copies (the adapter writes into registered memory): nothing to choose.
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","transport":"rdma","sink":"copy"})")) == "sink");
  CHECK_FALSE(json(*parse_traffic_server_body(R"({"port":"eth1","transport":"rdma"})")).contains("sink"));
  // The sink is the receiver's: a client (sender) request does not know the key.
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("sink", "copy"))) == "sink");
}

TEST_CASE("traffic server requests: every bad field is named", "[wire][traffic]") {
  CHECK(field_or_accepted(parse_traffic_server_body("")) == "body");
  CHECK(field_or_accepted(parse_traffic_server_body("[1]")) == "body");
  CHECK(field_or_accepted(parse_traffic_server_body("{")) == "body");
  CHECK(field_or_accepted(parse_traffic_server_body("{}")) == "port");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"a/b"})")) == "port");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":7})")) == "port");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","color":"red"})")) == "color");
  // An empty key is still named (found by fuzz_traffic_request: the field was empty).
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"":60000})")) == R"("")");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","timeline":{"":1}})")) == R"(timeline."")");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","tcp_port":65536})")) == "tcp_port");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","tcp_port":-1})")) == "tcp_port");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","duration_ms":0})")) == "duration_ms");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","duration_ms":3600001})")) == "duration_ms");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","duration_ms":"5"})")) == "duration_ms");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","accept_timeout_ms":0})")) == "accept_timeout_ms");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","interval_ms":9})")) == "interval_ms");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","transport":"TCP"})")) == "transport");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","transport":""})")) == "transport");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","timeline":{"bin_us":99}})")) == "timeline.bin_us");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","timeline":{"bin_us":1000001}})")) == "timeline.bin_us");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","timeline":{"x":1}})")) == "timeline.x");
  // A server does not reconnect: client-only timeline options are unknown to it.
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","timeline":{"stall_timeout_ms":500}})")) ==
        "timeline.stall_timeout_ms");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","timeline":{"connect_timeout_ms":500}})")) ==
        "timeline.connect_timeout_ms");
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","timeline":1})")) == "timeline");
  // An hour of 100 us bins is 36 million: over the memory bound.
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","duration_ms":3600000,"timeline":{"bin_us":100}})")) ==
        "timeline.bin_us");
  CHECK(parse_traffic_server_body(R"({"port":"eth1","duration_ms":3600000,"timeline":{"bin_us":1000}})"));
  // An hour of 10 ms reports is 360000: over the report bound.
  CHECK(field_or_accepted(parse_traffic_server_body(R"({"port":"eth1","duration_ms":3600000,"interval_ms":10})")) ==
        "interval_ms");
}

TEST_CASE("traffic run requests: valid shapes", "[wire][traffic]") {
  auto r = parse_traffic_run_body(kClient);
  REQUIRE(r);
  CHECK(r->port == "eth1");
  CHECK(r->peer == "198.18.0.2");
  CHECK(r->peer_tcp_port == 5201);
  CHECK(r->secret == kSecret);
  CHECK(r->streams == 1u);
  CHECK(r->duration_ms == 1000u);
  CHECK_FALSE(r->bytes);
  CHECK(r->transport == "tcp");

  auto v6 = parse_traffic_run_body(client_with("peer", "FD00:0::2"));
  REQUIRE(v6);
  CHECK(v6->peer == "fd00::2");  // canonical text

  auto bytes = parse_traffic_run_body(
      R"({"port":"eth1","peer":"198.18.0.2","peer_tcp_port":1,"bytes":1000000,"streams":64,"secret":"000102030405060708090a0b0c0d0e0f"})");
  REQUIRE(bytes);
  CHECK(bytes->bytes == 1000000u);
  CHECK(bytes->streams == 64u);
  CHECK_FALSE(bytes->duration_ms);

  auto tl = parse_traffic_run_body(client_with(
      "timeline", json{{"bin_us", 500}, {"reconnect_timeout_ms", 0}, {"stall_timeout_ms", 100}}));
  REQUIRE(tl);
  CHECK(tl->timeline->bin_us == 500u);
  CHECK(tl->timeline->reconnect_timeout_ms == 0u);
  CHECK(tl->timeline->stall_timeout_ms == 100u);
  CHECK(tl->timeline->connect_timeout_ms == 3000u);  // today's single 3 s connect, unless asked otherwise

  // A first connection that may start while the port is still dark (a circuit being set up).
  auto dark = parse_traffic_run_body(client_with("timeline", json{{"connect_timeout_ms", 5000}}));
  REQUIRE(dark);
  CHECK(dark->timeline->connect_timeout_ms == 5000u);
  CHECK(parse_traffic_run_body(client_with("timeline", json{{"connect_timeout_ms", 0}}))->timeline->connect_timeout_ms ==
        0u);
  CHECK(parse_traffic_run_body(client_with("timeline", json{{"connect_timeout_ms", 600000}})));
  // The request as written back (the fuzz target's round trip) reads the same.
  const json written = *dark;
  CHECK(written.at("timeline").at("connect_timeout_ms") == 5000);
  auto again = parse_traffic_run_request(written);
  REQUIRE(again);
  CHECK(again->timeline->connect_timeout_ms == 5000u);
  CHECK(json(*again) == written);
  // A transport the agent has no engine for is still well-formed here; the agent refuses it.
  CHECK(parse_traffic_run_body(client_with("transport", "quic"))->transport == "quic");
  // "rdma" has its own fields (tests/common/wire/test_rdma_api.cpp): a TCP body is not one.
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("transport", "rdma"))) == "peer_tcp_port");
}

TEST_CASE("traffic run requests: every bad field is named", "[wire][traffic]") {
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("port", nullptr))) == "port");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("rate_mbps", 0))) == "rate_mbps");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("rate_mbps", 10'000'001))) == "rate_mbps");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("rate_mbps", 1.5))) == "rate_mbps");
  {
    auto paced = parse_traffic_run_body(client_with("rate_mbps", 1000));
    REQUIRE(paced);
    CHECK(paced->rate_mbps == 1000u);
    const json again = *paced;
    CHECK(again.at("rate_mbps") == 1000);
    CHECK_FALSE(json(*parse_traffic_run_body(kClient)).contains("rate_mbps"));
  }
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer", nullptr))) == "peer");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer", "gpu-node-2"))) == "peer");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer", "198.18.0.2/24"))) == "peer");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer", "0.0.0.0"))) == "peer");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer", "224.0.0.1"))) == "peer");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer", "::"))) == "peer");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer", 5))) == "peer");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer_tcp_port", nullptr))) == "peer_tcp_port");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer_tcp_port", 0))) == "peer_tcp_port");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("peer_tcp_port", 70000))) == "peer_tcp_port");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("streams", 0))) == "streams");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("streams", 65))) == "streams");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("streams", 1.5))) == "streams");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("duration_ms", nullptr))) == "duration_ms");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("duration_ms", 3600001))) == "duration_ms");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("bytes", 100))) == "bytes");  // both given
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("interval_ms", 60001))) == "interval_ms");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("transport", "r dma"))) == "transport");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("transport", std::string(17, 'a')))) == "transport");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("extra", 1))) == "extra");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("timeline", json{{"stall_timeout_ms", 99}}))) ==
        "timeline.stall_timeout_ms");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("timeline", json{{"reconnect_timeout_ms", 600001}}))) ==
        "timeline.reconnect_timeout_ms");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("timeline", json{{"connect_timeout_ms", 600001}}))) ==
        "timeline.connect_timeout_ms");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("timeline", json{{"connect_timeout_ms", -1}}))) ==
        "timeline.connect_timeout_ms");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("timeline", json{{"connect_timeout_ms", "3s"}}))) ==
        "timeline.connect_timeout_ms");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("timeline", "yes"))) == "timeline");

  const std::string base = R"({"port":"eth1","peer":"198.18.0.2","peer_tcp_port":1,"secret":"000102030405060708090a0b0c0d0e0f")";
  CHECK(field_or_accepted(parse_traffic_run_body(base + R"(,"bytes":0})")) == "bytes");
  CHECK(field_or_accepted(parse_traffic_run_body(base + R"(,"bytes":1125899906842625})")) == "bytes");  // over 1 PiB
  CHECK(field_or_accepted(parse_traffic_run_body(base + R"(,"bytes":3,"streams":4})")) == "bytes");
  // Timeline mode is a continuous stream: a byte count makes no sense with it.
  CHECK(field_or_accepted(parse_traffic_run_body(base + R"(,"bytes":1000,"timeline":true})")) == "bytes");
}

TEST_CASE("traffic run requests: start_at_ns, for TCP runs without a timeline", "[wire][traffic]") {
  auto at = parse_traffic_run_body(client_with("start_at_ns", 1796622899524871553));
  REQUIRE(at);
  CHECK(at->start_at_ns == 1796622899524871553);
  CHECK(json(*at).at("start_at_ns") == 1796622899524871553);
  CHECK_FALSE(parse_traffic_run_body(kClient)->start_at_ns);
  CHECK_FALSE(json(*parse_traffic_run_body(kClient)).contains("start_at_ns"));
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("start_at_ns", 0))) == "start_at_ns");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("start_at_ns", -5))) == "start_at_ns");
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("start_at_ns", "soon"))) == "start_at_ns");
  json tl = json::parse(client_with("start_at_ns", 5));
  tl["timeline"] = true;
  CHECK(field_or_accepted(parse_traffic_run_body(tl.dump())) == "start_at_ns");
  // RDMA runs start on the peer exchange: no start instant.
  RdmaEndpoint peer;
  peer.verb = RdmaVerb::write;
  peer.size = 65536;
  peer.qps.push_back({.qpn = 0x1a2, .psn = 0xabcde});
  peer.gid = "0000:0000:0000:0000:0000:ffff:c612:2802";
  peer.gid_index = 3;
  peer.mtu = 4096;
  peer.rkey = 0xdeadbeef;
  peer.addr = 0x7f0000001000;
  peer.buffer_bytes = 65536;
  json rdma = {{"port", "eth1"}, {"transport", "rdma"}, {"peer", "198.18.0.2"}, {"duration_ms", 5000}, {"rdma", {{"peer", peer}}}};
  {
    auto ok = parse_traffic_run_body(rdma.dump());
    INFO((ok ? std::string() : ok.error().field + ": " + ok.error().message));
    REQUIRE(ok);
  }
  rdma["start_at_ns"] = 5;
  CHECK(field_or_accepted(parse_traffic_run_body(rdma.dump())) == "start_at_ns");
}

TEST_CASE("traffic reports carry the run's port counters, read as strictly as GET /v1/counters", "[wire][traffic]") {
  TrafficRunReport r = finished_client("tr-4");
  CountersReply before;
  before.host_id = "h1";
  before.boot_id = "6b1c4b5e-0c1f-4d5e-9a55-2f1b7c3d9e01";
  before.time_ns = 10;
  PortCounters p;
  p.name = "eth1";
  p.netdev.emplace("rx_errors", CounterReading::of(3));
  before.ports.push_back(p);
  CountersReply after = before;
  after.time_ns = 20;
  after.ports[0].netdev["rx_errors"] = CounterReading::of(5);
  r.counters_before = before;
  r.counters_after = after;
  const json j = r;
  auto back = decode_traffic_run_report(j);
  REQUIRE(back);
  CHECK(json(*back) == j);
  REQUIRE(back->counters_after);
  CHECK(back->counters_after->ports.at(0).netdev.at("rx_errors").value == 5u);
  // Without counters (a run that could not read them): none, and no "counters" key.
  r.counters_before.reset();
  r.counters_after.reset();
  CHECK_FALSE(json(r).contains("counters"));
  // A malformed reading is a protocol error naming where it is.
  json bad = j;
  bad["counters"]["after"]["ports"][0]["netdev"]["rx_errors"] = "five";
  auto refused = decode_traffic_run_report(bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::protocol);
}

// Run ids are tr-<uint64>, nothing else; a report query takes only bins=0|1 (default 1).
TEST_CASE("run ids and report queries", "[wire][traffic]") {
  CHECK(validate_run_id("tr-1", "id").value() == "tr-1");
  CHECK(validate_run_id("tr-18446744073709551615", "id"));
  CHECK(field_or_accepted(validate_run_id("tr-", "id")) == "id");
  CHECK(field_or_accepted(validate_run_id("tr-1a", "id")) == "id");
  CHECK(field_or_accepted(validate_run_id("run-1", "id")) == "id");
  CHECK(field_or_accepted(validate_run_id("tr-123456789012345678901", "id")) == "id");
  CHECK(parse_traffic_run_query({})->bins);
  CHECK_FALSE(parse_traffic_run_query({{"bins", "0"}})->bins);
  CHECK(parse_traffic_run_query({{"bins", "1"}})->bins);
  CHECK(field_or_accepted(parse_traffic_run_query({{"bins", "maybe"}})) == "bins");
  CHECK(field_or_accepted(parse_traffic_run_query({{"limit", "1"}})) == "limit");
  CHECK(parse_traffic_run_query({})->wait_ms == 0);
  CHECK(parse_traffic_run_query({{"wait_ms", "30000"}, {"bins", "0"}})->wait_ms == 30000);
  CHECK(field_or_accepted(parse_traffic_run_query({{"wait_ms", "30001"}})) == "wait_ms");
  CHECK(field_or_accepted(parse_traffic_run_query({{"wait_ms", "-1"}})) == "wait_ms");
}

TEST_CASE("traffic reports survive a JSON round trip", "[wire][traffic]") {
  TrafficRunReport r = finished_client("tr-3");
  r.streams = 2;
  r.bytes = 12345;
  r.bytes_confirmed = 12345;
  r.gbps = 1.5;
  r.intervals.push_back({.start_ns = 1, .duration_ns = 2, .bytes = 3, .gbps = 12.0});
  r.per_stream.push_back({.index = 1, .bytes = 5, .gbps = 0.5, .connections = 2, .error = "x"});
  r.events.push_back({.time_ns = 9, .stream = 1, .kind = "broken", .detail = "Connection timed out"});
  r.timeline = TrafficTimeline{.start_ns = 1000000, .bin_us = 1000, .bin_count = 3, .capacity = 10, .bins = {1, 0, 2},
                               .gaps = {{.start_ns = 2000000, .end_ns = 3000000, .bins = 1}}};
  r.sink = "copy";
  const json j = r;
  auto back = decode_traffic_run_report(j);
  REQUIRE(back);
  CHECK(json(*back) == j);
  CHECK(back->sink == "copy");
  CHECK(back->bytes_confirmed == 12345u);
  CHECK(back->timeline->bins == std::vector<std::uint64_t>{1, 0, 2});
  CHECK_FALSE(decode_traffic_run_report(json{{"id", "tr-1"}}));
}

TEST_CASE("traffic run requests: a TCP run needs its server's secret, an RDMA run takes none", "[wire][traffic][secret]") {
  CHECK(field_or_accepted(parse_traffic_run_body(client_with("secret", nullptr))) == "secret");
  for (const json& bad : {json(""), json("0001"), json(std::string(32, 'G')), json("000102030405060708090A0B0C0D0E0F"),
                          json(std::string(33, 'a')), json(12), json::array()}) {
    INFO(bad.dump());
    CHECK(field_or_accepted(parse_traffic_run_body(client_with("secret", bad))) == "secret");
  }
  // Written back for the agent (the coordinator's request) and read again, the secret is the same.
  auto r = parse_traffic_run_body(kClient);
  REQUIRE(r);
  const json written = *r;
  CHECK(written.at("secret") == kSecret);
  CHECK(parse_traffic_run_request(written)->secret == kSecret);
  // The refusal names the field and never echoes what was sent.
  auto wrong = parse_traffic_run_body(client_with("secret", "zz0102030405060708090a0b0c0d0e0f"));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message.find("zz01") == std::string::npos);

  json rdma = {{"port", "ens1f0"},
               {"transport", "rdma"},
               {"peer", "198.18.40.2"},
               {"duration_ms", 100},
               {"secret", kSecret},
               {"rdma", {{"peer", {{"gid", "0000:0000:0000:0000:0000:ffff:c612:2802"},
                                   {"qps", {{{"qpn", 17}, {"psn", 1}}}},
                                   {"rkey", 1},
                                   {"addr", 4096},
                                   {"size", 65536}}}}}};
  CHECK(field_or_accepted(parse_traffic_run_request(rdma)) == "secret");
}

TEST_CASE("a server's start answer: the report plus, for TCP, the secret, and nowhere else", "[wire][traffic][secret]") {
  TrafficRunReport r = finished_client("tr-9");
  r.role = "server";
  r.state = "starting";
  r.rejected_connections = 0;
  const TrafficServerStarted started{.report = r, .secret = kSecret};
  const json j = started;
  CHECK(j.at("secret") == kSecret);
  CHECK(j.at("id") == "tr-9");
  CHECK(j.at("rejected_connections") == 0);
  auto back = decode_traffic_server_started(j);
  REQUIRE(back);
  CHECK(back->secret == kSecret);
  CHECK(back->report.id == "tr-9");
  // The report alone never has it, even read from the start answer.
  CHECK_FALSE(json(back->report).contains("secret"));

  json missing = j;
  missing.erase("secret");
  auto no_secret = decode_traffic_server_started(missing);
  REQUIRE_FALSE(no_secret);
  CHECK(no_secret.error().code == Errc::protocol);
  CHECK(no_secret.error().field == "secret");
  json malformed = j;
  malformed["secret"] = "ABC";
  CHECK(decode_traffic_server_started(malformed).error().field == "secret");

  // RDMA servers have none, and an answer that claims one is not understood.
  TrafficRunReport rdma = r;
  rdma.transport = "rdma";
  const json rdma_json = TrafficServerStarted{.report = rdma, .secret = {}};
  CHECK_FALSE(rdma_json.contains("secret"));
  auto rdma_back = decode_traffic_server_started(rdma_json);
  REQUIRE(rdma_back);
  CHECK(rdma_back->secret.empty());
  json rdma_claims = rdma_json;
  rdma_claims["secret"] = kSecret;
  CHECK(decode_traffic_server_started(rdma_claims).error().field == "secret");
}

TEST_CASE("a server's report counts its rejected connections, a client's has no such field", "[wire][traffic][secret]") {
  TrafficRunReport server = finished_client("tr-4");
  server.role = "server";
  server.rejected_connections = 3;
  const json j = server;
  CHECK(j.at("rejected_connections") == 3);
  CHECK(decode_traffic_run_report(j)->rejected_connections == 3u);
  CHECK_FALSE(json(finished_client("tr-5")).contains("rejected_connections"));
}
