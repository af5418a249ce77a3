#pragma once
// Counter readings taken by the health modules, and the carrier windows health.bandwidth cuts from
// them (docs/health/counters.md, "Flaps"): one parallel GET /v1/counters per host, then each
// port's carrier_changes delta between two readings as a health::CarrierWindow.
#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/health/carrier_account.hpp"
#include "coordinator/health/counter_snapshot.hpp"

namespace mixnet::coord {

class AgentPool;

// Every host's counters now, read in parallel; deadline_ns (monotonic_ns()) bounds the batch.
health::CounterSnapshot read_counter_snapshot(AgentPool& pool, const std::vector<std::string>& hosts, const std::string& run_id,
                                              std::int64_t deadline_ns);

// One window per port ("h1:ocs0") from `before` to `after`: its carrier_changes delta (counted from
// a reset when there was one), or none with why (a reading failed, the port was not reported).
std::vector<health::CarrierWindow> carrier_windows(const health::CounterSnapshot& before, const health::CounterSnapshot& after,
                                                   const std::vector<std::string>& ports, health::CarrierWindowKind kind,
                                                   const std::string& label);

}  // namespace mixnet::coord
