#pragma once
// cabling.discover's two stages over every switch at once (the logic of each is
// coordinator/cabling/'s; this file does their I/O):
//   inputs   R rounds: NIC transmitters on or off by their codes (one configure request per
//            port), then power sweeps of each switch until two in a row light the same inputs
//            (usually two); decoded into "NIC -> input".
//   outputs  first one round of the inventory's own map (where it is right a port hears itself),
//            then rounds of loopback circuits in(a) -> candidate output for the rest, one switch
//            operation per switch per round, each followed by the neighbours the agents hear until
//            every tested port heard one or the round's wait ran out.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/cabling/input_sweep.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/modules/cabling_host_side.hpp"
#include "coordinator/modules/cabling_switch_side.hpp"

namespace mixnet::coord {

// One switch's discovery: its NIC ports under test (index = cabling::NicIndex) and what was learnt.
struct SwitchDiscovery {
  std::string switch_name;
  double dark_dbm = -40.0;                       // at or below: no light
  std::vector<PortRef> nics;                     // under test: agent answered, port managed
  std::optional<SwitchUnderTest> sw;             // set once opened
  std::optional<Error> failure;                  // the switch failed: every port of it fails
  cabling::InputSweepPlan plan;
  std::vector<cabling::PowerSweep> sweeps;
  cabling::InputSweepResult inputs;
  std::map<cabling::NicIndex, cabling::SwitchPort> inventory_outputs;   // NxM: the output the inventory says (tried first)
  std::map<cabling::NicIndex, cabling::SwitchPort> outputs;   // NxM: found outputs
  std::map<cabling::NicIndex, std::string> unresolved;        // NxM: why no output was found
  std::vector<ocs::CrossConnect> circuits;       // discovery's circuits on the switch now
  int output_rounds = 0;
  std::int64_t started_ns = 0, finished_ns = 0;  // CLOCK_REALTIME
  [[nodiscard]] std::optional<cabling::NicIndex> index_of(const PortRef& port) const;
};

struct StageBudget {
  std::int64_t deadline_ns = 0;                  // monotonic_ns()
  const std::atomic<bool>* cancel = nullptr;
  std::chrono::milliseconds settle{100};
  std::chrono::milliseconds link_timeout{3000};
};

// Stage 1 on every switch that has NICs and no failure. Ports whose agent failed to switch them
// are returned (they are then not trustworthy: the caller reports them).
std::map<PortRef, Error> run_input_stage(AgentPool& pool, std::vector<SwitchDiscovery>& switches, const StageBudget& budget);

// Stage 2 on every NxM switch; leaves discovery's circuits on the switches (SwitchDiscovery::circuits).
Result<void> run_output_stage(AgentPool& pool, std::vector<SwitchDiscovery>& switches, const StageBudget& budget);

}  // namespace mixnet::coord
