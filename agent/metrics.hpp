#pragma once
// /metrics in the Prometheus text exposition format (version 0.0.4), rendered from a plain
// snapshot so that it is tested without a running agent.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mixnet::agent {

struct PortMetrics {
  std::string name;
  bool admin_up = false;
  bool carrier = false;
  bool oper_up = false;
  std::uint32_t mtu = 0;
  std::uint64_t probes_sent = 0;
  std::uint64_t probes_received = 0;
  std::uint64_t neighbors = 0;
};

struct MetricsSnapshot {
  std::string host_id;
  std::int64_t start_time_ns = 0;
  std::vector<PortMetrics> ports;
  std::map<std::string, std::uint64_t> events_by_kind;
  std::uint64_t journal_size = 0;
  std::uint64_t journal_capacity = 0;
  std::uint64_t journal_last_seq = 0;
  std::uint64_t journal_dropped = 0;
  std::uint64_t journal_waiting_readers = 0;
  std::uint64_t link_monitor_overruns = 0;
  std::uint64_t carrier_poll_reads = 0;
  std::uint64_t probe_send_errors = 0;
  std::uint64_t traffic_connections_rejected = 0;   // data-plane connections a server dropped uncounted
  std::map<std::pair<std::string, unsigned>, std::uint64_t> http_requests;  // (route, status) -> count
  std::uint64_t http_connections_accepted = 0;
  std::uint64_t http_connections_rejected = 0;
  std::uint64_t http_connections_evicted = 0;
  std::uint64_t http_connections_active = 0;
  std::uint64_t tls_handshakes_failed = 0;   // HTTPS only: plain HTTP to the port, untrusted clients, silence
};

std::string render_metrics(const MetricsSnapshot& m);

// Escapes a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view v);

}  // namespace mixnet::agent
