#pragma once
// The history the HTML report draws its trend charts from: per part and figure, the values of
// past nights. Plain typed data; whoever owns the store of history (coordinator/health's trends,
// the results store's health records) fills it, the report only draws it.
#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/health/health_types.hpp"

namespace mixnet::coord {

struct HistoryPoint {
  std::int64_t at_ns = 0;   // CLOCK_REALTIME of the night's measurement
  double value = 0;
};

struct HistorySeries {
  health::PartKind kind = health::PartKind::port;
  std::string part;         // "h1:ocs0", "ocs1/17", ...
  std::string figure;       // "bandwidth_gbps"
  std::string unit;         // "Gb/s"
  std::vector<HistoryPoint> points;   // any order; drawn sorted by time
};

using HealthHistory = std::vector<HistorySeries>;

}  // namespace mixnet::coord
