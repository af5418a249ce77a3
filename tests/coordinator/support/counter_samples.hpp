#pragma once
// Counter snapshots built by hand for the counter tests (deltas, records, carrier windows).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/health/counter_snapshot.hpp"

namespace mixnet::coord::testing {

// One host's answer to GET /v1/counters: `ports` read at `time_ns` during boot `boot`.
inline health::HostCounters answered(const std::string& host, const std::string& boot, std::int64_t time_ns,
                                     std::vector<wire::PortCounters> ports) {
  return health::HostCounters{
      .host = host,
      .reply = wire::CountersReply{.host_id = host, .boot_id = boot, .time_ns = time_ns, .ports = std::move(ports)},
      .error = std::nullopt};
}

}  // namespace mixnet::coord::testing
