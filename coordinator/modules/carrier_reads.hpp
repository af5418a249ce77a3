#pragma once
// Counter readings taken by the health modules, and what health.bandwidth cuts from them
// (docs/health/counters.md): one parallel GET /v1/counters per host, then each port's
// carrier_changes delta between two readings as a health::CarrierWindow ("Flaps"), and the error
// counters that grew on each tested port while its test ran ("Around each test").
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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

// The error counters of one port that grew between two readings taken around a round of traffic
// tests: the evidence each test carries. Counters of unit "count" only (errors, drops, IB error
// counters); carrier_changes is left to the carrier windows, which tell flaps from re-patching.
struct PortErrorGrowth {
  std::string port;                            // "h1:ocs0"
  std::map<std::string, std::uint64_t> grew;   // counter -> how much it grew (> 0 only)
  std::vector<std::string> reset;              // counters counted from a reset: "rx_errors (reboot)"
  std::map<std::string, std::string> lost;     // counter -> why: read before, no value after (never dropped)
  std::string unread;                          // non-empty: no figure for the port, and why
};

std::vector<PortErrorGrowth> error_growth(const health::CounterSnapshot& before, const health::CounterSnapshot& after,
                                          const std::vector<std::string>& ports);

// "h1:ocs0 rx_crc_errors +3; h2:ocs1 unread (why)": the ports that grew, lost a counter's value or
// could not be read, "" when every port was read and no error counter grew.
std::string describe_error_growth(const std::vector<PortErrorGrowth>& growth);

// {"h1:ocs0": {"grew": {"rx_crc_errors": 3}}, "h2:ocs1": {"unread": "why"}}: for a test item's data.
nlohmann::json error_growth_json(const std::vector<PortErrorGrowth>& growth);

}  // namespace mixnet::coord
