#pragma once
// measure.replay's typed results (docs/topologies.md, "Replaying MoE traffic"): a MoE trace is
// replayed layer after layer in three modes, and each layer's traffic is timed. The plan
// (replay_plan.hpp) turns a layer's demand and a topology into flows; the run sends them; the
// reports (replay_report.hpp) read only these types.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/model/inventory.hpp"

namespace mixnet::coord::replay {

// How the layers' traffic is carried.
enum class ReplayMode {
  reconfigured,   // per layer: MixNet's greedy on the layer's demand, applied with the fewest changes
  fixed,          // one topology for the whole trace (the greedy on the sum of every layer), applied once
  electrical,     // no circuit: everything through the electrical switch
};
// "reconfigured", "static", "electrical" (the names the playbook's `modes` takes).
std::string_view mode_name(ReplayMode mode);

enum class FlowPath { circuit, eps };
std::string_view path_name(FlowPath path);   // "circuit", "eps"

// One TCP transfer of a layer: `bytes` from one data port to another.
struct ReplayFlow {
  PortRef from;
  PortRef to;
  std::uint64_t bytes = 0;
  FlowPath path = FlowPath::eps;
};

// One layer of one mode, as measured.
struct LayerOutcome {
  ReplayMode mode = ReplayMode::reconfigured;
  std::size_t layer = 0;            // 0-based, as in the trace
  std::string topology;             // the topology in place while the layer ran ("" for electrical)
  double network_bytes = 0;         // the layer's bytes between hosts, after scaling
  double circuit_bytes = 0;         // of which planned over circuits
  double eps_bytes = 0;             // and over the electrical switch
  int circuits = 0;                 // circuits of the topology
  int changes = 0;                  // cross-connects made or broken before the layer (0: none)
  double reconfig_s = 0;            // apply + links verified before the layer (0 when nothing changed)
  double completion_s = 0;          // the first flow's start to the last flow's end (measured)
  double estimate_s = 0;            // the quality model's estimate (topogen/quality.hpp)
  std::size_t flows = 0;
  std::size_t failed_flows = 0;     // flows that did not deliver every byte
  bool ok = true;                   // every flow delivered and the topology was in place
  std::string message;              // why not, when !ok
  [[nodiscard]] double total_s() const { return reconfig_s + completion_s; }
};

// What the whole replay ran on, for the report's header.
struct ReplaySetup {
  std::string trace;                // the trace file
  std::string description;          // the trace's own description
  std::size_t layers = 0;           // replayed
  std::size_t experts = 0;
  std::vector<std::string> hosts;   // taking part, inventory order
  double line_rate_gbps = 0;        // every data port's rate (the lab shapes its ports to it)
  std::string line_rate_source;     // "line_rate_gbps" or "expect.speed_mbps"
  double scale = 1;                 // the factor every byte of the trace was multiplied by
  std::string scale_reason;         // e.g. "scaled so the heaviest layer takes 0.5 s on the electrical switch alone at 0.1 Gb/s"
  std::string static_topology;      // the fixed mode's topology
  std::vector<ReplayMode> modes;    // in the order they ran
};

struct ReplayResult {
  ReplaySetup setup;
  std::vector<LayerOutcome> layers;   // mode by mode, layer by layer
};

// Per mode: the sum over its layers.
struct ModeTotals {
  ReplayMode mode = ReplayMode::reconfigured;
  double completion_s = 0;
  double reconfig_s = 0;
  std::size_t layers = 0;
  std::size_t failed_layers = 0;
  [[nodiscard]] double total_s() const { return completion_s + reconfig_s; }
};
std::vector<ModeTotals> mode_totals(const ReplayResult& result);
// total_s of `baseline` over total_s of reconfigured (> 1: reconfiguring was faster); 0 when either
// mode did not run or took no time.
double speedup_over(const std::vector<ModeTotals>& totals, ReplayMode baseline);

}  // namespace mixnet::coord::replay
