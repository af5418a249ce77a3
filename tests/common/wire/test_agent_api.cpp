#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/wire/agent_api.hpp"

using namespace mixnet;
using namespace mixnet::wire;
using nlohmann::json;

namespace {

// The field an error names, or "" when the call succeeded.
template <class T>
std::string field_of(const Result<T>& r) {
  return r ? std::string() : r.error().field;
}

}  // namespace

TEST_CASE("port names follow the kernel's rules", "[wire][validation]") {
  CHECK(validate_port_name("eth0", "name").value() == "eth0");
  CHECK(validate_port_name("veth-a.100", "name").has_value());
  CHECK(validate_port_name("123456789012345", "name").has_value());  // 15 bytes: the limit
  CHECK(field_of(validate_port_name("1234567890123456", "name")) == "name");
  CHECK(field_of(validate_port_name("", "ports[2]")) == "ports[2]");
  CHECK_FALSE(validate_port_name(".", "name"));
  CHECK_FALSE(validate_port_name("..", "name"));
  CHECK_FALSE(validate_port_name("a/b", "name"));
  CHECK_FALSE(validate_port_name("a:b", "name"));
  CHECK_FALSE(validate_port_name("a b", "name"));
  CHECK_FALSE(validate_port_name(std::string_view("a\0b", 3), "name"));
  CHECK_FALSE(validate_port_name("a\x7f", "name"));
  CHECK_FALSE(validate_port_name("tab\t", "name"));
}

TEST_CASE("configure requests: valid shapes", "[wire][validation]") {
  auto r = parse_configure_body(R"({"admin":"up","mtu":9000,"add_addresses":["198.18.0.1/24"],
                                    "remove_addresses":["198.18.0.2/24"]})");
  REQUIRE(r);
  CHECK(r->admin_up == true);
  CHECK(r->mtu == 9000u);
  CHECK(r->add_addresses == std::vector<std::string>{"198.18.0.1/24"});
  CHECK(r->remove_addresses == std::vector<std::string>{"198.18.0.2/24"});

  auto down = parse_configure_body(R"({"admin":"down"})");
  REQUIRE(down);
  CHECK(down->admin_up == false);
  CHECK_FALSE(down->mtu);

  CHECK(parse_configure_body(R"({"mtu":68})")->mtu == 68u);
  CHECK(parse_configure_body(R"({"mtu":65535})")->mtu == 65535u);
  CHECK(parse_configure_body(R"({"add_addresses":["FD00::1/64"]})")->add_addresses[0] == "fd00::1/64");

  // What a coordinator serializes, this parses back to the same request.
  ConfigureRequest req{.admin_up = false, .mtu = 1500, .add_addresses = {"198.19.0.1/16"}};
  auto back = parse_configure_request(json(req));
  REQUIRE(back);
  CHECK(back->admin_up == false);
  CHECK(back->mtu == 1500u);
  CHECK(back->add_addresses == req.add_addresses);
}

TEST_CASE("configure requests: every bad input names its field", "[wire][validation]") {
  CHECK(field_of(parse_configure_body("")) == "body");
  CHECK(field_of(parse_configure_body("{")) == "body");
  CHECK(field_of(parse_configure_body("[]")) == "body");
  CHECK(field_of(parse_configure_body("\"mtu\"")) == "body");
  CHECK(field_of(parse_configure_body("{}")) == "body");  // nothing to change
  CHECK(field_of(parse_configure_body(R"({"mtu":67})")) == "mtu");
  CHECK(field_of(parse_configure_body(R"({"mtu":65536})")) == "mtu");
  CHECK(field_of(parse_configure_body(R"({"mtu":-1})")) == "mtu");
  CHECK(field_of(parse_configure_body(R"({"mtu":1500.5})")) == "mtu");
  CHECK(field_of(parse_configure_body(R"({"mtu":"1500"})")) == "mtu");
  CHECK(field_of(parse_configure_body(R"({"mtu":true})")) == "mtu");
  CHECK(field_of(parse_configure_body(R"({"mtu":null})")) == "mtu");
  CHECK(field_of(parse_configure_body(R"({"mtu":18446744073709551615})")) == "mtu");
  CHECK(field_of(parse_configure_body(R"({"admin":"UP"})")) == "admin");
  CHECK(field_of(parse_configure_body(R"({"admin":true})")) == "admin");
  CHECK(field_of(parse_configure_body(R"({"admin":"up","speed":100})")) == "speed");
  CHECK(field_of(parse_configure_body(R"({"add_addresses":"198.18.0.1/24"})")) == "add_addresses");
  CHECK(field_of(parse_configure_body(R"({"add_addresses":["198.18.0.1/24","bogus"]})")) == "add_addresses[1]");
  CHECK(field_of(parse_configure_body(R"({"add_addresses":[42]})")) == "add_addresses[0]");
  CHECK(field_of(parse_configure_body(R"({"add_addresses":["198.18.0.1/24","198.18.0.1/24"]})")) ==
        "add_addresses[1]");
  CHECK(field_of(parse_configure_body(R"({"remove_addresses":["198.18.0.1/40"]})")) == "remove_addresses[0]");
  CHECK(field_of(parse_configure_body(R"({"add_addresses":["198.18.0.1/24"],"remove_addresses":["198.18.0.1/24"]})")) ==
        "remove_addresses[0]");
  json many = {{"add_addresses", json::array()}};
  for (int i = 0; i < 33; ++i) many["add_addresses"].push_back("198.18.1." + std::to_string(i + 1) + "/24");
  CHECK(field_of(parse_configure_request(many)) == "add_addresses");
  many["add_addresses"].erase(many["add_addresses"].begin());
  CHECK(parse_configure_request(many).has_value());  // exactly 32 is fine
  // The message says what is wrong, not just where.
  auto e = parse_configure_body(R"({"mtu":70000})");
  REQUIRE_FALSE(e);
  CHECK(e.error().code == Errc::invalid_argument);
  CHECK_THAT(e.error().message, Catch::Contains("68..65535"));
}

// POST /v1/probes bodies: defaults (all ports, one probe, no nonce), the bounds, and every bad field named.
TEST_CASE("probe requests", "[wire][validation]") {
  auto all = parse_probe_body("{}");
  REQUIRE(all);
  CHECK(all->ports.empty());
  CHECK(all->count == 1u);
  CHECK_FALSE(all->nonce);

  auto r = parse_probe_body(R"({"ports":["veth0","veth1"],"count":16,"nonce":18446744073709551615})");
  REQUIRE(r);
  CHECK(r->ports == std::vector<std::string>{"veth0", "veth1"});
  CHECK(r->count == 16u);
  CHECK(r->nonce == UINT64_MAX);
  CHECK(parse_probe_body(R"({"nonce":0})")->nonce == 0u);

  CHECK(field_of(parse_probe_body(R"({"count":0})")) == "count");
  CHECK(field_of(parse_probe_body(R"({"count":17})")) == "count");
  CHECK(field_of(parse_probe_body(R"({"count":"2"})")) == "count");
  CHECK(field_of(parse_probe_body(R"({"nonce":-5})")) == "nonce");
  CHECK(field_of(parse_probe_body(R"({"nonce":1.5})")) == "nonce");
  CHECK(field_of(parse_probe_body(R"({"nonce":"abc"})")) == "nonce");
  CHECK(field_of(parse_probe_body(R"({"ports":"veth0"})")) == "ports");
  CHECK(field_of(parse_probe_body(R"({"ports":["veth0",7]})")) == "ports[1]");
  CHECK(field_of(parse_probe_body(R"({"ports":["veth0","a/b"]})")) == "ports[1]");
  CHECK(field_of(parse_probe_body(R"({"ports":["veth0","veth0"]})")) == "ports[1]");
  CHECK(field_of(parse_probe_body(R"({"ports":[""]})")) == "ports[0]");
  CHECK(field_of(parse_probe_body(R"({"port":["veth0"]})")) == "port");
  CHECK(field_of(parse_probe_body("not json")) == "body");
  json many = {{"ports", json::array()}};
  for (int i = 0; i < 65; ++i) many["ports"].push_back("p" + std::to_string(i));
  CHECK(field_of(parse_probe_request(many)) == "ports");
}

// GET /v1/events parameters: defaults, full uint64 range for after, bounds on wait_ms and limit, bad ones named.
TEST_CASE("events query parameters", "[wire][validation]") {
  auto d = parse_events_query({});
  REQUIRE(d);
  CHECK(d->after == 0u);
  CHECK(d->wait_ms == 0u);
  CHECK(d->limit == kMaxEventsPerPage);

  auto q = parse_events_query({{"after", "41"}, {"wait_ms", "30000"}, {"limit", "1"}});
  REQUIRE(q);
  CHECK(q->after == 41u);
  CHECK(q->wait_ms == 30000u);
  CHECK(q->limit == 1u);
  CHECK(parse_events_query({{"after", "18446744073709551615"}})->after == UINT64_MAX);

  CHECK(field_of(parse_events_query({{"after", "18446744073709551616"}})) == "after");
  CHECK(field_of(parse_events_query({{"after", "-1"}})) == "after");
  // An empty parameter name is still named (found by fuzz_agent_request: "?after=1&=30").
  CHECK(field_of(parse_events_query({{"", "30"}})) == R"("")");
  CHECK(field_of(parse_neighbors_query({{"", "x"}})) == R"("")");
  CHECK(field_of(parse_events_query({{"after", ""}})) == "after");
  CHECK(field_of(parse_events_query({{"after", "1x"}})) == "after");
  CHECK(field_of(parse_events_query({{"after", " 1"}})) == "after");
  CHECK(field_of(parse_events_query({{"wait_ms", "30001"}})) == "wait_ms");
  CHECK(field_of(parse_events_query({{"limit", "0"}})) == "limit");
  CHECK(field_of(parse_events_query({{"limit", "1001"}})) == "limit");
  CHECK(field_of(parse_events_query({{"since", "1"}})) == "since");
}

// GET /v1/neighbors parameters: port and nonce are optional filters; a bad or unknown one is named.
TEST_CASE("neighbors query parameters", "[wire][validation]") {
  CHECK(parse_neighbors_query({})->port == std::nullopt);
  auto q = parse_neighbors_query({{"port", "veth0"}, {"nonce", "77"}});
  REQUIRE(q);
  CHECK(q->port == "veth0");
  CHECK(q->nonce == 77u);
  CHECK(field_of(parse_neighbors_query({{"port", "a/b"}})) == "port");
  CHECK(field_of(parse_neighbors_query({{"nonce", "x"}})) == "nonce");
  CHECK(field_of(parse_neighbors_query({{"host", "x"}})) == "host");
}

TEST_CASE("replies survive a JSON round trip", "[wire][json]") {
  PortInfo port{.name = "veth0", .ifindex = 7, .mac = "02:00:00:00:00:01", .mtu = 9000, .admin_up = true,
                .oper_state = "up", .carrier = true, .speed_mbps = 10000, .ipv4 = {"198.18.0.1/24"},
                .ipv6 = {"fe80::1/64"}};
  port.rdma.push_back(RdmaPortInfo{.device = "mlx5_0", .port = 1, .link_layer = "Ethernet", .state = 4,
                                   .state_name = "ACTIVE", .phys_state = 5, .phys_state_name = "LinkUp",
                                   .rate = "100 Gb/sec (4X EDR)", .active_speed = "25.0 Gbps", .fw_ver = "28.39.1002",
                                   .gids = {GidInfo{.index = 3, .gid = "fe80::", .type = "RoCE v2", .netdev = "veth0"}}});
  Inventory inv{.host_id = "h1", .time_ns = 123, .managed_patterns = {"veth*"}, .ports = {port},
                .rdma = {.available = true, .note = "1 RDMA port(s)"}};
  const json j = inv;
  CHECK(j["ports"][0]["admin"] == "up");
  CHECK(j["ports"][0]["rdma"][0]["active_width"].is_null());
  auto back = decode<Inventory>(j, "inventory");
  REQUIRE(back);
  CHECK(back->ports[0].speed_mbps == 10000u);
  CHECK(back->ports[0].rdma[0].active_speed == "25.0 Gbps");
  CHECK_FALSE(back->ports[0].rdma[0].active_width);
  CHECK(back->ports[0].rdma[0].fw_ver == "28.39.1002");
  CHECK(json(*back) == j);
  // An agent from before fw_ver was reported: the port reads, its firmware is unknown.
  json older = j;
  older["ports"][0]["rdma"][0].erase("fw_ver");
  auto old_back = decode<Inventory>(older, "inventory");
  REQUIRE(old_back);
  CHECK_FALSE(old_back->ports[0].rdma[0].fw_ver);
  CHECK(json(*old_back)["ports"][0]["rdma"][0]["fw_ver"].is_null());

  PortInfo no_speed = port;
  no_speed.speed_mbps.reset();
  CHECK(json(no_speed)["speed_mbps"].is_null());

  EventsPage page{.instance = "h1-1", .events = {LinkEvent{.seq = 5, .time_ns = 9, .kind = "oper_state",
                                                           .port = "veth0", .ifindex = 7, .source = "netlink",
                                                           .oper_state = "dormant", .previous_oper = "up"}},
                  .next_after = 5, .missed = 2, .first_seq = 3, .last_seq = 5};
  auto p = decode<EventsPage>(json(page), "events");
  REQUIRE(p);
  CHECK(p->events[0].previous_oper == "up");
  CHECK(json(*p) == json(page));

  NeighborsReply n{.host_id = "h2", .time_ns = 1,
                   .ports = {PortNeighbors{.port = "veth1", .probes_received = 3,
                                           .neighbors = {Neighbor{.host_id = "h1", .port = "veth0",
                                                                  .mac = "02:00:00:00:00:01", .last_nonce = UINT64_MAX,
                                                                  .count = 3}}}}};
  auto nb = decode<NeighborsReply>(json(n), "neighbors");
  REQUIRE(nb);
  CHECK(nb->ports[0].neighbors[0].last_nonce == UINT64_MAX);

  auto bad = decode<Inventory>(json{{"host_id", 5}}, "inventory");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::protocol);
}

TEST_CASE("carrier poll requests: valid shapes, and every bad field named", "[wire][carrier]") {
  auto all = parse_carrier_poll_body(R"({"duration_ms": 5000})");
  REQUIRE(all.has_value());
  CHECK(all->ports.empty());
  CHECK(all->duration_ms == 5000);
  auto some = parse_carrier_poll_body(R"({"duration_ms": 1, "ports": ["ens1f0", "ens2"]})");
  REQUIRE(some.has_value());
  CHECK(some->ports == std::vector<std::string>{"ens1f0", "ens2"});

  const std::pair<const char*, const char*> bad[] = {
      {R"({})", "duration_ms"},
      {R"({"duration_ms": 0})", "duration_ms"},
      {R"({"duration_ms": 600001})", "duration_ms"},
      {R"({"duration_ms": "5"})", "duration_ms"},
      {R"({"duration_ms": 5, "ports": "ens1"})", "ports"},
      {R"({"duration_ms": 5, "ports": ["ens1", "ens1"]})", "ports[1]"},
      {R"({"duration_ms": 5, "ports": ["a/b"]})", "ports[0]"},
      {R"({"duration_ms": 5, "window": 3})", "window"},
      {R"([1])", "body"},
  };
  for (const auto& [body, field] : bad) {
    INFO(body);
    auto r = parse_carrier_poll_body(body);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == mixnet::Errc::invalid_argument);
    CHECK(r.error().field == field);
  }
}

TEST_CASE("carrier poll: the request and the reply survive a JSON round trip", "[wire][carrier]") {
  nlohmann::json req;
  to_json(req, CarrierPollRequest{.ports = {"ens1"}, .duration_ms = 250});
  auto back = parse_carrier_poll_body(req.dump());
  REQUIRE(back.has_value());
  CHECK(back->ports == std::vector<std::string>{"ens1"});
  CHECK(back->duration_ms == 250);
  nlohmann::json rep;
  to_json(rep, CarrierPollReply{.ports = {"ens1", "ens2"}, .until_ns = 1795946111514543600, .period_us = 100});
  auto decoded = decode<CarrierPollReply>(rep, "carrier poll");
  REQUIRE(decoded.has_value());
  CHECK(decoded->ports == std::vector<std::string>{"ens1", "ens2"});
  CHECK(decoded->until_ns == 1795946111514543600);
  CHECK(decoded->period_us == 100);
  CHECK_FALSE(decode<CarrierPollReply>(nlohmann::json{{"ports", nlohmann::json::array()}}, "carrier poll").has_value());
}
