#pragma once
// Which moments a port's reconfiguration must have produced, and which of them a row lost. A
// measurement with a lost moment is a failed measurement of that port, in the lab and on real
// hardware alike (no ground truth needed): measure.reconfig fails the port's item with it, rather
// than leave the row out of the percentiles and call the step a pass. docs/measurement.md,
// "measure.reconfig".
#include <span>
#include <string>
#include <vector>

#include "coordinator/measure/breakdown.hpp"

namespace mixnet::coord::measure {

struct PortExpectation {
  bool was_lit = false;    // in a circuit before the command: its carrier must go (carrier_lost)
  bool connected = false;  // in a circuit of the new topology: link_up and identity_confirmed must come
  bool traffic = false;    // streams ran over its new circuit: traffic_full_rate must come
};

// The expected moments the row does not have, in moment order. cmd_sent and switch_ack are
// always expected (the port's switch was driven).
std::vector<Moment> lost_moments(const PortBreakdown& row, const PortExpectation& expect);

// "lost carrier_lost (no carrier-lost (link_down) event after the command in this repetition),
// switch_ack (...)": the moments and why each is missing; empty when none.
std::string describe_lost(const PortBreakdown& row, std::span<const Moment> lost);

}  // namespace mixnet::coord::measure
