#pragma once
// The arguments of traffic.run (docs/playbooks.md, "traffic.run"), read and checked in one place
// so that load-time validation and the run agree. Errors name the argument ("pairs[1]",
// "duration").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "common/wire/traffic_api.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"

namespace mixnet::coord {

enum class TrafficPattern { circuits, pairs, eps };
enum class TrafficDirection { a_to_b, b_to_a, both };

inline constexpr double kDefaultTrafficDurationS = 2.0;
inline constexpr double kTrafficTimeoutSlackS = 15.0;    // per test, beyond `duration`
inline constexpr double kDefaultBytesTimeoutS = 60.0;    // per test in bytes mode

struct TrafficRunArgs {
  TrafficPattern pattern = TrafficPattern::circuits;
  std::optional<std::string> topology;          // circuits: the topology (default: what ocs.apply applied)
  std::vector<std::pair<PortRef, PortRef>> pairs;   // pairs: as written
  std::vector<std::string> eps_switches;        // eps: the switches (empty: every EPS switch)
  TrafficDirection direction = TrafficDirection::a_to_b;
  std::optional<double> duration_s;             // exactly one of these two after parsing
  std::optional<std::uint64_t> bytes;
  std::uint32_t streams = 1;
  std::string transport = "tcp";
  wire::TcpSink sink = wire::kDefaultTcpSink;   // tcp: what the receivers do with the payload
  std::optional<double> threshold;              // fraction of line rate, 0..1
  std::optional<double> line_rate_gbps;         // wins over the ports' speed
  double timeout_s = 0;                         // per test (each round gets its own)
  std::size_t parallel = 0;                     // most tests at once (0: as many as fit)
};

// args is an object (or null) holding only traffic.run's keys. Errors name the stray key.
Result<void> check_traffic_run_keys(const nlohmann::json& args);

// Reads the arguments. `partial`: load-time validation of arguments that held templates: those
// keys were removed, so a missing required value is not an error.
Result<TrafficRunArgs> parse_traffic_run_args(const nlohmann::json& args, const Inventory& inventory,
                                              const TopologySet& topologies, bool partial = false);

// "h1:ocs0 - h2:ocs1" or ["h1:ocs0", "h2:ocs1"]; both ports must be in the inventory and differ.
Result<std::pair<PortRef, PortRef>> parse_port_pair(const nlohmann::json& value, const Inventory& inventory,
                                                    const std::string& field);

std::string_view to_string(TrafficPattern p);
std::string_view to_string(TrafficDirection d);

}  // namespace mixnet::coord
