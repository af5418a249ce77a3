#include "coordinator/health/counter_snapshot.hpp"

namespace mixnet::coord::health {

const HostCounters* CounterSnapshot::find(const std::string& host) const {
  for (const auto& h : hosts) {
    if (h.host == host) return &h;
  }
  return nullptr;
}

}  // namespace mixnet::coord::health
