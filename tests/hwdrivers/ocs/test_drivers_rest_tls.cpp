// The Polatis RESTCONF driver against the emulator serving HTTPS (--tls-cert/--tls-key, docs/tls.md):
// with the URI's ca-file the driver verifies the switch and works; with another CA, or plain HTTP
// to the HTTPS port, it gets nothing; the emulator's /metrics counts the failed handshakes.
#include <catch2/catch.hpp>

#include "common/http/tls_server_context.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_ca.hpp"
#include "tools/ocs-emu/emulator.hpp"

using namespace mixnet;
using namespace mixnet::testing;

namespace {

std::string rest_uri(const ocs_emu::Emulator& emu, const std::string& options) {
  return "polatis-rest://admin:root@127.0.0.1:" + std::to_string(emu.rest_port()) + "?timeout-ms=5000" + options;
}

}  // namespace

TEST_CASE("RESTCONF over TLS: the driver verifies the emulator against the URI's CA", "[ocs][rest][tls]") {
  TestCa ca;
  TestCa stranger;
  auto tls = http::make_tls_server_context({.cert_file = ca.server_cert(), .key_file = ca.server_key()});
  REQUIRE(tls.has_value());
  ocs_emu::EmulatorOptions o;
  o.switching = ocs_emu::SwitchingTime::fixed_ms(0);
  o.rest_tls = *tls;
  ocs_emu::Emulator emu(o);
  REQUIRE(emu.start().has_value());

  auto trusted = ocs::open_switch(rest_uri(emu, "&ca-file=" + ca.ca_cert()));
  REQUIRE(trusted.has_value());
  auto applied = (*trusted)->apply(ocs::ChangeSet{.connect = {ocs::CrossConnect{.from = "1", .to = "17"}}});
  INFO((applied ? std::string() : applied.error().describe()));
  REQUIRE(applied.has_value());
  auto listed = (*trusted)->list();
  REQUIRE(listed.has_value());
  REQUIRE(listed->value.size() == 1);

  auto wrong_ca = ocs::open_switch(rest_uri(emu, "&ca-file=" + stranger.ca_cert()));
  REQUIRE(wrong_ca.has_value());
  auto refused = (*wrong_ca)->list();
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message.find("certificate") != std::string::npos);

  auto plain = ocs::open_switch(rest_uri(emu, ""));   // http:// to the HTTPS port
  REQUIRE(plain.has_value());
  CHECK_FALSE((*plain)->list().has_value());

  // The control API's /metrics: the handshakes that failed on the RESTCONF listener.
  HttpCall metrics;
  metrics.target = "/metrics";
  const auto reply = http_request("127.0.0.1", emu.control_port(), metrics);
  REQUIRE(reply.status == 200);
  INFO(reply.body);
  CHECK(reply.body.find("# TYPE mixnet_ocs_emu_tls_handshakes_failed_total counter") != std::string::npos);
  CHECK(reply.body.find("mixnet_ocs_emu_tls_handshakes_failed_total{listener=\"restconf\"} 0") == std::string::npos);
  CHECK(reply.body.find("mixnet_ocs_emu_tls_handshakes_failed_total{listener=\"control\"} 0") != std::string::npos);
}
