// GET /v1/counters' reply: what to_json renders, that parse_counters_reply reads it back
// unchanged, and that it refuses a bad reply naming the field.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/wire/counters_api.hpp"

using namespace mixnet;
using namespace mixnet::wire;
using nlohmann::json;

namespace {

CountersReply sample() {
  CountersReply r;
  r.host_id = "h1";
  r.boot_id = "4b1e2f0c-9a7d-4c4e-8f55-0b7c1d2e3f40";
  r.time_ns = 1'765'000'000'000'000'000;
  PortCounters a;
  a.name = "ens1f0";
  a.ifindex = 7;
  a.netdev["carrier_changes"] = CounterReading::of(3);
  a.netdev["rx_crc_errors"] = CounterReading::absent(Absence::missing, "no file /sys/class/net/ens1f0/statistics/rx_crc_errors");
  a.ib = IbPortCounters{"mlx5_0", 1, {}};
  a.ib->counters["symbol_error"] = CounterReading::of(UINT64_MAX);
  a.ib->counters["port_rcv_packets"] = CounterReading::absent(Absence::unreadable, "not a count: 'N/A (no PMA)'");
  PortCounters b;
  b.name = "ens1f1";
  b.netdev["carrier_changes"] = CounterReading::of(0);
  r.ports = {a, b};
  return r;
}

Error refused(json j) {
  auto r = parse_counters_reply(j);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::protocol);
  return r.error();
}

}  // namespace

TEST_CASE("counters reply: rendered shape", "[wire][counters]") {
  const json j = sample();
  CHECK(j.at("boot_id") == "4b1e2f0c-9a7d-4c4e-8f55-0b7c1d2e3f40");
  CHECK(j.at("ports").size() == 2);
  const auto& p = j.at("ports")[0];
  CHECK(p.at("ifindex") == 7);
  CHECK(p.at("netdev").at("carrier_changes") == 3);
  CHECK(p.at("netdev").at("rx_crc_errors") ==
        json{{"absent", "missing"}, {"why", "no file /sys/class/net/ens1f0/statistics/rx_crc_errors"}});
  CHECK(p.at("ib").at("device") == "mlx5_0");
  CHECK(p.at("ib").at("counters").at("symbol_error").get<std::uint64_t>() == UINT64_MAX);
  CHECK(p.at("ib").at("counters").at("port_rcv_packets").at("absent") == "unreadable");
  CHECK(j.at("ports")[1].at("ib").is_null());
  CHECK(j.at("ports")[1].at("ifindex").is_null());
}

TEST_CASE("counters reply: parsed back unchanged", "[wire][counters]") {
  const CountersReply s = sample();
  auto r = parse_counters_reply(json(s));
  REQUIRE(r);
  CHECK(json(*r) == json(s));
  CHECK(r->ports[0].netdev.at("rx_crc_errors").absence == Absence::missing);
  CHECK_FALSE(r->ports[0].netdev.at("rx_crc_errors").value);
  CHECK(r->ports[0].ib->counters.at("port_rcv_packets").absence == Absence::unreadable);
  CHECK(r->ports[0].ib->counters.at("symbol_error").value == UINT64_MAX);
}

TEST_CASE("counters reply: refusals name the field", "[wire][counters]") {
  const json good = sample();
  {
    json j = good;
    j.erase("boot_id");
    CHECK(refused(j).field == "boot_id");
  }
  {
    json j = good;
    j["boot_id"] = "";
    CHECK(refused(j).field == "boot_id");
  }
  {
    json j = good;
    j["extra"] = 1;
    CHECK(refused(j).field == "extra");
  }
  {
    json j = good;
    j["ports"][0]["netdev"]["rx_errors"] = -1;
    CHECK(refused(j).field == "ports[0].netdev.rx_errors");
  }
  {
    json j = good;
    j["ports"][0]["netdev"]["rx_errors"] = 1.5;
    CHECK(refused(j).field == "ports[0].netdev.rx_errors");
  }
  {
    json j = good;
    j["ports"][0]["netdev"]["rx_errors"] = json{{"absent", "gone"}, {"why", "x"}};
    CHECK(refused(j).field == "ports[0].netdev.rx_errors.absent");
  }
  {
    json j = good;
    j["ports"][0]["ib"]["counters"]["symbol_error"] = "7";
    CHECK(refused(j).field == "ports[0].ib.counters.symbol_error");
  }
  {
    json j = good;
    j["ports"][0]["ib"]["port"] = 0;
    CHECK(refused(j).field == "ports[0].ib.port");
  }
  {
    json j = good;
    j["ports"][1]["name"] = "ens1f0";
    CHECK(refused(j).field == "ports[1].name");
  }
  {
    json j = good;
    j["ports"][1]["ifindex"] = 0;
    CHECK(refused(j).field == "ports[1].ifindex");
  }
  {
    json j = good;
    j["time_ns"] = 0;
    CHECK(refused(j).field == "time_ns");
  }
  CHECK(refused(json::array()).field == "body");
}
