#pragma once
// One verdict per host and per NIC port of a nightly health run, worked out once from the
// report's blames and findings so that every output (Prometheus textfile, HTML grid) colours a
// part the same way (docs/health/reports.md, "Verdicts").
//   port: the worst of the blames and findings on the port itself and of a blame on its host
//         (an unreachable or wholly failed host takes all its ports out with it);
//   host: the worst of the blames and findings on the host, of every blame that takes it out of
//         service (Blame::hosts), and of its ports' verdicts.
// Circuits, OCS ports and EPS pairs keep their own verdicts (part_verdicts): a bad cable is not
// a bad host.
#include <map>
#include <string>
#include <string_view>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {

// "h1:ocs0" -> "h1" and "ocs0". A name with no ':' is all host, no port.
[[nodiscard]] std::string_view host_of_port(std::string_view port);
[[nodiscard]] std::string_view port_of_port(std::string_view port);

struct HealthVerdicts {
  std::map<std::string, health::Severity> hosts;   // every host of the report (ok when nothing is said about it)
  std::map<std::string, health::Severity> ports;   // every port of the report
  std::map<std::string, bool> blamed_hosts;        // every host: true when a blame takes it out of service
};

[[nodiscard]] HealthVerdicts verdicts_of(const health::HealthReport& report);

// The worst blame or finding on each part of one kind (only parts something was said about).
[[nodiscard]] std::map<std::string, health::Severity> part_verdicts(const health::HealthReport& report, health::PartKind kind);

}  // namespace mixnet::coord
