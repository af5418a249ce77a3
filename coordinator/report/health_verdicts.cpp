#include "coordinator/report/health_verdicts.hpp"

namespace mixnet::coord {

using health::PartKind;
using health::Severity;

std::string_view host_of_port(std::string_view port) { return port.substr(0, port.find(':')); }

std::string_view port_of_port(std::string_view port) {
  const auto colon = port.find(':');
  return colon == std::string_view::npos ? std::string_view{} : port.substr(colon + 1);
}

std::map<std::string, Severity> part_verdicts(const health::HealthReport& report, PartKind kind) {
  std::map<std::string, Severity> out;
  auto note = [&](const std::string& part, Severity s) {
    auto [it, inserted] = out.try_emplace(part, s);
    if (!inserted) it->second = health::worse(it->second, s);
  };
  for (const auto& f : report.findings) {
    if (f.kind == kind) note(f.part, f.severity);
  }
  for (const auto& b : report.blames) {
    if (b.kind == kind) note(b.part, b.severity);
  }
  return out;
}

HealthVerdicts verdicts_of(const health::HealthReport& report) {
  HealthVerdicts v;
  for (const auto& h : report.hosts) {
    v.hosts[h] = Severity::ok;
    v.blamed_hosts[h] = false;
  }
  for (const auto& p : report.ports) v.ports[p] = Severity::ok;
  const auto host_said = part_verdicts(report, PartKind::host);
  const auto port_said = part_verdicts(report, PartKind::port);
  for (const auto& [host, s] : host_said) v.hosts[host] = health::worse(v.hosts[host], s);
  for (const auto& [port, s] : port_said) v.ports[port] = health::worse(v.ports[port], s);
  for (const auto& b : report.blames) {
    for (const auto& h : b.hosts) {
      v.hosts[h] = health::worse(v.hosts[h], b.severity);
      v.blamed_hosts[h] = true;
    }
  }
  // A verdict on a host covers its ports; then every port's verdict rolls up into its host.
  for (auto& [port, s] : v.ports) {
    const auto host = std::string(host_of_port(port));
    if (const auto it = host_said.find(host); it != host_said.end()) s = health::worse(s, it->second);
  }
  for (const auto& [port, s] : v.ports) {
    auto& host = v.hosts[std::string(host_of_port(port))];
    host = health::worse(host, s);
  }
  for (const auto& [host, s] : v.hosts) v.blamed_hosts.try_emplace(host, false);
  return v;
}

}  // namespace mixnet::coord
