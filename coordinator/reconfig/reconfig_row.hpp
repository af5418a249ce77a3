#pragma once
// One port's row of measure.reconfig: from what a repetition observed (the driver's stamps, the
// carrier events, the identity probe, the traffic timeline), its moments on the coordinator's
// clock, its segments (coordinator/measure/breakdown.hpp) and its verdict as a step item.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/agents/journal_reader.hpp"
#include "coordinator/engine/module.hpp"
#include "coordinator/measure/breakdown.hpp"
#include "coordinator/measure/clock_alignment.hpp"
#include "coordinator/measure/full_rate.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/verify/link_verdict.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord {

// What one repetition observed: everything its ports' rows are computed from.
struct RepetitionRecord {
  int number = 0;                                   // 1-based
  const Topology* from = nullptr;                   // nullptr: unknown
  const Topology* to = nullptr;
  std::map<std::string, ocs::Timing> timing;        // per switch that had to change
  JournalReader::EventsByHost events;               // carrier events of the window, agent stamps
  std::map<std::string, PortVerdict> verdicts;      // the link verifier's verdicts by port ("h1:ocs0")
  bool traffic = false;                             // timeline streams ran over the new circuits
  std::map<std::string, Result<measure::Timeline>> timelines;   // per port, when they did
  std::int64_t window_end_ns = 0;                   // CLOCK_REALTIME: later events are the next one's

  [[nodiscard]] std::string from_name() const { return from != nullptr ? from->name : "unknown"; }
};

struct PortRow {
  measure::PortInputs inputs;
  measure::PortBreakdown breakdown;
  ItemResult item;   // kind "port", id "h1:ocs0 #3"
};

// `port`'s row of the repetition. Every agent stamp is aligned with `offsets` (one per host that
// takes part).
PortRow measure_port(const RepetitionRecord& rep, const PortRef& port, const Inventory& inventory,
                     const std::map<std::string, measure::ClockOffset>& offsets, const measure::FullRateRule& rule);

}  // namespace mixnet::coord
