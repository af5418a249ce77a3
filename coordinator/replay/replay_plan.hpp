#pragma once
// measure.replay's plan (docs/topologies.md, "How a layer's bytes are sent"): a layer's demand and
// the topology in place become the flows the dispatcher starts, and a trace's bytes are scaled so
// the shaped links, not the CPU, are the bottleneck. The flows follow evaluate_quality's model
// (topogen/quality.hpp) exactly, so the estimate and the replay describe the same traffic:
//   - a pair of hosts with k circuits sends its bytes, each direction, split evenly over its k
//     circuits (from the circuit's port on the sender to its port on the receiver);
//   - a pair without a circuit sends through the electrical switch: the sender's bytes split
//     evenly over its electrical ports that share a switch with one of the receiver's, each
//     towards a receiver's port on that switch.
#include <cstddef>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/replay/replay_types.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::replay {

// The flows of one layer. `topology`: the circuits in place (resolved), or nullptr for the
// electrical switch alone. bytes[i][j] go from host i to host j, rounded to whole bytes; the flows
// of a pair sum exactly to its rounded bytes (shares rounded by largest remainder; the first
// ports in order take the spare bytes); zero-byte flows are dropped; a flow never joins two ports
// of one host. Order: largest first, then by `from`, then by `to` (then circuit before eps): the
// dispatcher starts them in that order, so the longest transfers start first.
// Errors (invalid_argument): a demand host not in the inventory (field "hosts"); a pair that needs
// the electrical switch where the two hosts share none (field "eps", both hosts named); a byte
// count that is not a finite number of bytes >= 0 (field "bytes[i][j]").
Result<std::vector<ReplayFlow>> layer_flows(const topogen::DemandMatrix& demand, const Topology* topology, const Inventory& inventory);

// The host's ports on an electrical switch, in inventory order.
std::vector<const HostPort*> electrical_ports(const Host& host);

// How much the trace's bytes are multiplied by before they are sent, and why, in words.
struct ReplayScaling {
  double factor = 1;
  std::string reason;               // "the trace's bytes x 0.0123 so its heaviest layer (layer 2) takes ..."
  std::size_t heaviest_layer = 0;   // 0-based, as in the trace
  double heaviest_unscaled_s = 0;   // that layer's electrical-only estimate before scaling
};

// The factor that makes the heaviest layer, by its electrical-only completion estimate
// (evaluate_quality on an empty topology at `line_rate_gbps`), take `target_layer_s`.
// Errors (invalid_argument): target_layer_s or line_rate_gbps not > 0 (the field is the argument's
// name); a layer's host not in the inventory ("layers[L].hosts"); a trace without a single network
// byte, nothing to replay ("layers"); a host with network demand and no electrical port, whose
// estimate would be infinite ("layers[L]", naming the host).
Result<ReplayScaling> choose_scaling(const std::vector<topogen::DemandMatrix>& layers, const Inventory& inventory,
                                     double line_rate_gbps, double target_layer_s);

// The matrix with every byte (bytes and intra_host_bytes) multiplied by `factor` (finite, >= 0:
// choose_scaling's).
topogen::DemandMatrix scale_demand(const topogen::DemandMatrix& matrix, double factor);

// Every layer's bytes added up, for the static topology (the greedy on the whole trace): hosts in
// order of first appearance across the layers; intra_host_bytes summed too.
topogen::DemandMatrix sum_layers(const std::vector<topogen::DemandMatrix>& layers);

}  // namespace mixnet::coord::replay
