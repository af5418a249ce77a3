#pragma once
// Stage 1 of cabling discovery: which switch input each NIC port's transmitter feeds, learnt in R
// rounds of light patterns, each read with ONE power sweep of the switch (R grows with log2 of the
// port count, not one round per port). docs/cabling.md, "Method".
//
// Each NIC port under test gets its own code c in 1 .. 2^R - 2. In round r its transmitter is on
// iff bit r of c is 1 (the driver sets the NIC admin up or down, waits for the optics, then reads
// every switch port's input power). An input whose lit/dark pattern over the R rounds equals c is
// that NIC's input. Codes 0 and all-ones are never given: an input dark in every round has no
// transmitter we switch behind it, and one lit in every round carries light the discovery does not
// control (a host whose agent could not turn its port off), so neither can be mistaken for a NIC.
//
// A NIC whose agent is known dead before the start is left out by the caller (it gets no code: it
// is not a "NIC under test"), and reported by the caller.
// On an any-to-any switch (one port per NIC, tx == rx) this stage alone finds every NIC's port.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/cabling/cabling_ports.hpp"

namespace mixnet::coord::cabling {

// Who transmits in which round.
struct InputSweepPlan {
  int rounds = 0;                      // R >= 2, the smallest with 2^R - 2 >= the NIC count
  std::vector<std::uint32_t> codes;    // codes[nic]: NIC `nic`'s code, distinct, in 1 .. 2^R - 2

  // NIC `nic` transmits in `round` (0-based): bit `round` of its code.
  [[nodiscard]] bool transmits(NicIndex nic, int round) const;
  // The NICs on in `round`, ascending; every other NIC under test is set admin down.
  [[nodiscard]] std::vector<NicIndex> transmitters(int round) const;
};

// The plan for NICs 0 .. nic_count-1 (nic_count >= 1, at most 2^20: field "nic_count").
// NIC k gets code k + 1.
Result<InputSweepPlan> plan_input_sweep(int nic_count);

// One round's power sweep: every port read, its input power in dBm.
using PowerSweep = std::map<SwitchPort, double>;

// An input whose pattern is no NIC's code. Bit r of `pattern` is 1 when it was lit in round r.
struct UnexplainedInput {
  SwitchPort input;
  std::uint32_t pattern = 0;
};

// A code seen at two or more inputs: physically impossible (one fibre per port), so the NIC is
// given none of them.
struct AmbiguousCode {
  NicIndex nic = 0;
  std::vector<SwitchPort> inputs;   // ascending by the switch's port name
};

struct InputSweepResult {
  std::map<NicIndex, SwitchPort> found;        // NIC -> the input its transmitter feeds
  std::vector<NicIndex> unlit;                 // no input showed its code: dark transceiver, bad
                                               // fibre, or not cabled to this switch
  std::vector<SwitchPort> always_lit;          // lit in every round: light we do not control
  std::vector<UnexplainedInput> unexplained;   // lit in some rounds, in a pattern no NIC has
  std::vector<AmbiguousCode> ambiguous;        // a NIC's code at several inputs: none assigned
};

// Reads the R sweeps of a plan (sweeps[r] taken in round r). A port is lit in a round when it
// reads above `dark_threshold_dbm` (at or below it: no light, the inventory's dark_dbm). Every
// sweep must read the same ports, and every reading must be a number (errors name
// "sweeps[r]" and the port). Pass only the ports that receive NIC transmitters: an NxM switch's
// inputs, or every port of an any-to-any switch.
Result<InputSweepResult> decode_input_sweep(const InputSweepPlan& plan, const std::vector<PowerSweep>& sweeps,
                                            double dark_threshold_dbm);

// "lit,dark,lit": a pattern round by round, for messages.
[[nodiscard]] std::string pattern_text(std::uint32_t pattern, int rounds);

}  // namespace mixnet::coord::cabling
