#include "agent/metrics.hpp"

#include <fmt/format.h>

namespace mixnet::agent {

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

struct Writer {
  std::string out;
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(std::string_view name, std::string_view labels, std::uint64_t value) {
    if (labels.empty()) out += fmt::format("{} {}\n", name, value);
    else out += fmt::format("{}{{{}}} {}\n", name, labels, value);
  }
};

std::string port_label(const PortMetrics& p) { return "port=\"" + escape_label_value(p.name) + "\""; }

}  // namespace

std::string render_metrics(const MetricsSnapshot& m) {
  Writer w;
  w.family("mixnet_agent_info", "gauge", "Constant 1, labelled with the host id.");
  w.sample("mixnet_agent_info", "host_id=\"" + escape_label_value(m.host_id) + "\"", 1);
  w.family("mixnet_agent_start_time_seconds", "gauge", "When the agent started (Unix time).");
  w.sample("mixnet_agent_start_time_seconds", "", static_cast<std::uint64_t>(m.start_time_ns / 1'000'000'000));

  w.family("mixnet_agent_port_admin_up", "gauge", "1 when the managed port is administratively up.");
  for (const auto& p : m.ports) w.sample("mixnet_agent_port_admin_up", port_label(p), p.admin_up ? 1 : 0);
  w.family("mixnet_agent_port_carrier", "gauge", "1 when the managed port has carrier.");
  for (const auto& p : m.ports) w.sample("mixnet_agent_port_carrier", port_label(p), p.carrier ? 1 : 0);
  w.family("mixnet_agent_port_oper_up", "gauge", "1 when the managed port's operational state is up.");
  for (const auto& p : m.ports) w.sample("mixnet_agent_port_oper_up", port_label(p), p.oper_up ? 1 : 0);
  w.family("mixnet_agent_port_mtu_bytes", "gauge", "MTU of the managed port.");
  for (const auto& p : m.ports) w.sample("mixnet_agent_port_mtu_bytes", port_label(p), p.mtu);
  w.family("mixnet_agent_probes_sent_total", "counter", "Identity probe frames sent from the port.");
  for (const auto& p : m.ports) w.sample("mixnet_agent_probes_sent_total", port_label(p), p.probes_sent);
  w.family("mixnet_agent_probes_received_total", "counter", "Identity probe frames received on the port.");
  for (const auto& p : m.ports) w.sample("mixnet_agent_probes_received_total", port_label(p), p.probes_received);
  w.family("mixnet_agent_port_neighbors", "gauge", "Distinct probe senders seen on the port.");
  for (const auto& p : m.ports) w.sample("mixnet_agent_port_neighbors", port_label(p), p.neighbors);
  w.family("mixnet_agent_probe_send_errors_total", "counter", "Probe frames that could not be sent.");
  w.sample("mixnet_agent_probe_send_errors_total", "", m.probe_send_errors);

  w.family("mixnet_agent_link_events_total", "counter", "Link events journaled, by kind.");
  for (const auto& [kind, n] : m.events_by_kind) {
    w.sample("mixnet_agent_link_events_total", "kind=\"" + escape_label_value(kind) + "\"", n);
  }
  w.family("mixnet_agent_journal_events", "gauge", "Events held in the journal.");
  w.sample("mixnet_agent_journal_events", "", m.journal_size);
  w.family("mixnet_agent_journal_capacity", "gauge", "Events the journal can hold.");
  w.sample("mixnet_agent_journal_capacity", "", m.journal_capacity);
  w.family("mixnet_agent_journal_last_seq", "gauge", "Newest sequence number.");
  w.sample("mixnet_agent_journal_last_seq", "", m.journal_last_seq);
  w.family("mixnet_agent_journal_dropped_total", "counter", "Events dropped because the journal was full.");
  w.sample("mixnet_agent_journal_dropped_total", "", m.journal_dropped);
  w.family("mixnet_agent_journal_waiting_readers", "gauge", "Long-poll readers waiting now.");
  w.sample("mixnet_agent_journal_waiting_readers", "", m.journal_waiting_readers);
  w.family("mixnet_agent_link_monitor_overruns_total", "counter",
           "Netlink buffer overruns (each followed by a full re-read of the link table).");
  w.sample("mixnet_agent_link_monitor_overruns_total", "", m.link_monitor_overruns);
  w.family("mixnet_agent_carrier_poll_reads_total", "counter",
           "Readings of a port's carrier counters by the poller (only while armed: POST /v1/carrier/poll).");
  w.sample("mixnet_agent_carrier_poll_reads_total", "", m.carrier_poll_reads);

  w.family("mixnet_agent_traffic_connections_rejected_total", "counter",
           "Data-port connections a traffic server dropped before counting a byte (no hello, a malformed one, "
           "a missing or wrong run secret).");
  w.sample("mixnet_agent_traffic_connections_rejected_total", "", m.traffic_connections_rejected);

  w.family("mixnet_agent_http_requests_total", "counter", "HTTP requests by route pattern and status code.");
  for (const auto& [key, n] : m.http_requests) {
    w.sample("mixnet_agent_http_requests_total",
             "route=\"" + escape_label_value(key.first) + "\",code=\"" + std::to_string(key.second) + "\"", n);
  }
  w.family("mixnet_agent_http_connections_accepted_total", "counter", "HTTP connections accepted.");
  w.sample("mixnet_agent_http_connections_accepted_total", "", m.http_connections_accepted);
  w.family("mixnet_agent_http_connections_rejected_total", "counter",
           "HTTP connections refused (limit reached, every connection in the way busy).");
  w.sample("mixnet_agent_http_connections_rejected_total", "", m.http_connections_rejected);
  w.family("mixnet_agent_http_connections_evicted_total", "counter",
           "Idle or unauthenticated HTTP connections closed to make room for a newcomer.");
  w.sample("mixnet_agent_http_connections_evicted_total", "", m.http_connections_evicted);
  w.family("mixnet_agent_http_connections_active", "gauge", "HTTP connections open now.");
  w.sample("mixnet_agent_http_connections_active", "", m.http_connections_active);
  w.family("mixnet_agent_tls_handshakes_failed_total", "counter",
           "TLS handshakes that failed: plain HTTP to the HTTPS port, a client certificate not from the client CA, "
           "or a silent socket past the first-request deadline (0 without --tls-cert).");
  w.sample("mixnet_agent_tls_handshakes_failed_total", "", m.tls_handshakes_failed);
  return w.out;
}

}  // namespace mixnet::agent
