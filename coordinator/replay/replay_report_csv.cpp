// The replay CSV: one table, a row per mode x layer, fields quoted by the measure reports' RFC 4180
// rule (coordinator/measure/report_format.hpp).
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "coordinator/measure/report_format.hpp"
#include "coordinator/replay/replay_report.hpp"

namespace mixnet::coord::replay {

namespace {

std::string replay_csv_line(const std::vector<std::string>& cells) {
  std::vector<std::string> quoted;
  quoted.reserve(cells.size());
  for (const auto& c : cells) quoted.push_back(measure::detail::csv_field(c));
  return fmt::format("{}\n", fmt::join(quoted, ","));
}

// Seconds to the microsecond, bytes whole: what the measurement resolves.
std::string csv_seconds(double s) { return fmt::format("{:.6f}", s); }
std::string csv_bytes(double b) { return fmt::format("{:.0f}", b); }

}  // namespace

std::string replay_csv(const ReplayResult& result) {
  std::string out = replay_csv_line({"mode", "layer", "topology", "network_bytes", "circuit_bytes", "eps_bytes", "circuits", "changes",
                                     "reconfig_s", "completion_s", "total_s", "estimate_s", "flows", "failed_flows", "ok", "message"});
  for (const auto& l : result.layers) {
    out += replay_csv_line({std::string(mode_name(l.mode)), std::to_string(l.layer), l.topology, csv_bytes(l.network_bytes),
                            csv_bytes(l.circuit_bytes), csv_bytes(l.eps_bytes), std::to_string(l.circuits), std::to_string(l.changes),
                            csv_seconds(l.reconfig_s), csv_seconds(l.completion_s), csv_seconds(l.total_s()), csv_seconds(l.estimate_s),
                            std::to_string(l.flows), std::to_string(l.failed_flows), l.ok ? "true" : "false", l.message});
  }
  return out;
}

}  // namespace mixnet::coord::replay
