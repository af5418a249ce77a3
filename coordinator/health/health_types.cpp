#include "coordinator/health/health_types.hpp"

namespace mixnet::coord::health {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::ok: return "ok";
    case Severity::warning: return "warning";
    case Severity::critical: return "critical";
    case Severity::unknown: return "unknown";
  }
  return "unknown";
}

const char* to_string(PartKind k) {
  switch (k) {
    case PartKind::host: return "host";
    case PartKind::port: return "port";
    case PartKind::ocs_port: return "ocs_port";
    case PartKind::circuit: return "circuit";
    case PartKind::eps_pair: return "eps_pair";
  }
  return "port";
}

}  // namespace mixnet::coord::health
