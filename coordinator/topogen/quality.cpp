#include "coordinator/topogen/quality.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

namespace mixnet::coord::topogen {

std::optional<double> stated_line_rate_gbps(const Inventory& inventory) {
  std::optional<std::int64_t> lowest;
  for (const auto& host : inventory.hosts) {
    for (const auto& port : host.ports) {
      if ((port.ocs || port.eps) && port.expect.speed_mbps && *port.expect.speed_mbps > 0) {
        lowest = lowest ? std::min(*lowest, *port.expect.speed_mbps) : *port.expect.speed_mbps;
      }
    }
  }
  if (!lowest) return std::nullopt;
  return static_cast<double>(*lowest) / 1000.0;
}

double default_line_rate_gbps(const Inventory& inventory) { return stated_line_rate_gbps(inventory).value_or(kDefaultLineRateGbps); }

QualityFigures evaluate_quality(const Topology& topology, const DemandMatrix& demand, const Inventory& inventory, double line_rate_gbps) {
  QualityFigures q;
  q.line_rate_gbps = line_rate_gbps;
  q.network_bytes = demand.network_bytes();
  q.intra_host_bytes = demand.intra_host_bytes;
  q.circuits = static_cast<int>(topology.circuits.size());
  const double bytes_per_second = line_rate_gbps * 1e9 / 8;

  std::map<std::pair<std::string, std::string>, int> per_pair;   // unordered pair (a < b) -> circuits
  for (const auto& c : topology.circuits) {
    const auto& a = std::min(c.a.host, c.b.host);
    const auto& b = std::max(c.a.host, c.b.host);
    per_pair[{a, b}] += 1;
  }
  auto circuits_between = [&](const std::string& a, const std::string& b) {
    const auto it = per_pair.find({std::min(a, b), std::max(a, b)});
    return it == per_pair.end() ? 0 : it->second;
  };

  std::map<std::string, double> egress, ingress;   // host -> bytes through the electrical switch
  for (std::size_t i = 0; i < demand.hosts.size(); ++i) {
    for (std::size_t j = 0; j < demand.hosts.size(); ++j) {
      const double bytes = demand.bytes[i][j];
      if (i == j || bytes <= 0) continue;
      const auto& from = demand.hosts[i];
      const auto& to = demand.hosts[j];
      if (const int k = circuits_between(from, to); k > 0) {
        q.circuit_bytes += bytes;
        if (bytes / k > q.max_circuit_bytes) {
          q.max_circuit_bytes = bytes / k;
          q.max_circuit_pair = fmt::format("{} -> {} ({} circuit{})", from, to, k, k == 1 ? "" : "s");
        }
      } else {
        q.eps_bytes += bytes;
        egress[from] += bytes;
        ingress[to] += bytes;
      }
    }
  }
  q.circuit_seconds = q.max_circuit_bytes / bytes_per_second;

  auto eps_ports_of = [&](const std::string& host) {
    const Host* h = inventory.find_host(host);
    if (h == nullptr) return 0;
    return static_cast<int>(std::count_if(h->ports.begin(), h->ports.end(), [](const HostPort& p) { return p.eps.has_value(); }));
  };
  auto account = [&](const std::map<std::string, double>& bytes_by_host, const char* direction) {
    for (const auto& [host, bytes] : bytes_by_host) {
      const int ports = eps_ports_of(host);
      const double seconds = ports > 0 ? bytes / (ports * bytes_per_second) : std::numeric_limits<double>::infinity();
      if (seconds > q.eps_seconds) {
        q.eps_seconds = seconds;
        q.eps_bottleneck = fmt::format("{} {}{}", host, direction, ports > 0 ? "" : " (no electrical port)");
      }
    }
  };
  account(egress, "egress");
  account(ingress, "ingress");
  q.completion_seconds = std::max(q.circuit_seconds, q.eps_seconds);
  return q;
}

std::string quality_bytes_text(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.3f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.3f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.3f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

namespace {

std::string quality_seconds_text(double seconds) {
  if (std::isinf(seconds)) return "never";
  if (seconds >= 1) return fmt::format("{:.3f} s", seconds);
  if (seconds >= 1e-3) return fmt::format("{:.3f} ms", seconds * 1e3);
  return fmt::format("{:.3f} us", seconds * 1e6);
}

}  // namespace

std::string format_quality(const QualityFigures& q) {
  std::string out;
  out += fmt::format("  demand        {} on the network{}\n", quality_bytes_text(q.network_bytes),
                     q.intra_host_bytes > 0 ? fmt::format(" ({} within hosts, not counted)", quality_bytes_text(q.intra_host_bytes)) : "");
  out += fmt::format("  circuits      {} carry {} ({:.1f}%)\n", q.circuits, quality_bytes_text(q.circuit_bytes), 100 * q.served_fraction());
  out += fmt::format("  electrical    {} ({:.1f}%)\n", quality_bytes_text(q.eps_bytes),
                     q.network_bytes > 0 ? 100 * q.eps_bytes / q.network_bytes : 0.0);
  out += fmt::format("  busiest circuit {}{}\n", quality_bytes_text(q.max_circuit_bytes),
                     q.max_circuit_pair.empty() ? "" : fmt::format(" per circuit, {}", q.max_circuit_pair));
  out += fmt::format("  completion    {} at {} Gb/s (circuits {}, electrical {}{})\n", quality_seconds_text(q.completion_seconds), q.line_rate_gbps,
                     quality_seconds_text(q.circuit_seconds), quality_seconds_text(q.eps_seconds),
                     q.eps_bottleneck.empty() ? "" : ", slowest " + q.eps_bottleneck);
  return out;
}

}  // namespace mixnet::coord::topogen
