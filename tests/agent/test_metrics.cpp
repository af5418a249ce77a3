#include <catch2/catch.hpp>
#include <sstream>

#include "agent/metrics.hpp"

using namespace mixnet::agent;

TEST_CASE("metrics are Prometheus text", "[agent][metrics]") {
  MetricsSnapshot m{.host_id = "gpu\"1", .start_time_ns = 1'700'000'000'123'456'789};
  m.ports.push_back(PortMetrics{.name = "veth0", .admin_up = true, .carrier = false, .oper_up = false, .mtu = 9000,
                                .probes_sent = 4, .probes_received = 2, .neighbors = 1});
  m.events_by_kind = {{"link_down", 3}, {"link_up", 2}};
  m.journal_size = 5;
  m.journal_capacity = 4096;
  m.journal_last_seq = 5;
  m.http_requests[{"/v1/inventory", 200}] = 7;
  m.http_requests[{"/v1/events", 401}] = 1;
  m.http_connections_accepted = 8;
  m.traffic_connections_rejected = 2;
  const std::string text = render_metrics(m);

  CHECK_THAT(text, Catch::Contains("mixnet_agent_info{host_id=\"gpu\\\"1\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_start_time_seconds 1700000000\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_port_admin_up{port=\"veth0\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_port_carrier{port=\"veth0\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_port_mtu_bytes{port=\"veth0\"} 9000\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_probes_sent_total{port=\"veth0\"} 4\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_probes_received_total{port=\"veth0\"} 2\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_link_events_total{kind=\"link_down\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_journal_events 5\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_http_requests_total{route=\"/v1/inventory\",code=\"200\"} 7\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_http_requests_total{route=\"/v1/events\",code=\"401\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE mixnet_agent_link_events_total counter\n"));
  CHECK_THAT(text, Catch::Contains("mixnet_agent_traffic_connections_rejected_total 2\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE mixnet_agent_traffic_connections_rejected_total counter\n"));

  // Every line is a comment or "name[{labels}] value"; every sampled family has HELP and TYPE.
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    INFO(line);
    REQUIRE_FALSE(line.empty());
    if (line[0] == '#') {
      CHECK((line.rfind("# HELP mixnet_agent_", 0) == 0 || line.rfind("# TYPE mixnet_agent_", 0) == 0));
      continue;
    }
    ++samples;
    CHECK(line.rfind("mixnet_agent_", 0) == 0);
    const auto space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    const std::string value = line.substr(space + 1);
    CHECK(value.find_first_not_of("0123456789") == std::string::npos);
    const std::string name = line.substr(0, line.find_first_of("{ "));
    CHECK_THAT(text, Catch::Contains("# TYPE " + name + " "));
  }
  CHECK(samples > 20);
  CHECK(text.back() == '\n');
}

TEST_CASE("label values are escaped", "[agent][metrics]") {
  CHECK(escape_label_value("plain") == "plain");
  CHECK(escape_label_value("a\"b") == "a\\\"b");
  CHECK(escape_label_value("a\\b") == "a\\\\b");
  CHECK(escape_label_value("a\nb") == "a\\nb");
}

TEST_CASE("metrics export the TLS handshakes that failed", "[metrics][tls]") {
  mixnet::agent::MetricsSnapshot m{.host_id = "h1"};
  m.tls_handshakes_failed = 3;
  const std::string text = mixnet::agent::render_metrics(m);
  CHECK(text.find("# TYPE mixnet_agent_tls_handshakes_failed_total counter\n") != std::string::npos);
  CHECK(text.find("\nmixnet_agent_tls_handshakes_failed_total 3\n") != std::string::npos);
}
