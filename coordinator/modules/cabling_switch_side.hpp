#pragma once
// cabling.discover's view of one OCS: its input and output ports, the circuits it held before
// discovery (put back afterwards), one power sweep and one change per round. Only what every
// switch offers through ocs::OpticalSwitch: info, list, power (all ports in one read) and apply.
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord {

struct SwitchUnderTest {
  std::string name;                      // the inventory's switch name
  ocs::OpticalSwitch* driver = nullptr;  // owned by the run's SwitchPool
  ocs::SwitchInfo info;
  std::vector<ocs::PortId> inputs;       // where a transmitter's light may enter (any-to-any: every port)
  std::vector<ocs::PortId> outputs;      // where a receiver's fibre may leave (any-to-any: empty)
  std::vector<ocs::CrossConnect> before; // the circuits it held when discovery began
  int switch_operations = 0;             // apply() calls made by discovery
  int power_reads = 0;                   // power sweeps made by discovery
  [[nodiscard]] bool any_to_any() const { return info.any_to_any; }
};

// Reads the switch's size and circuits. The port names come from its size: an NxM switch numbers
// inputs 1..N and outputs N+1..N+M (Polatis); an any-to-any switch's ports are 1..N. A switch that
// names its ports otherwise (Calient's "1.1.1") is refused with Errc::unavailable unless it is
// any-to-any, when its ports are read from its port status.
Result<SwitchUnderTest> open_switch_under_test(const std::string& name, ocs::OpticalSwitch& driver);

// One power sweep of every port: port -> the light arriving from its fibre, dBm (an NxM input's
// reading; on an any-to-any switch the separate input reading, without which this fails with
// Errc::unavailable). A port the switch did not report is absent.
Result<std::map<ocs::PortId, double>> sweep_input_power(SwitchUnderTest& sw);

// Replaces the switch's circuits among `ports_in_use` with `circuits`: every port in
// `ports_in_use` not kept is disconnected, the new circuits connected, in one operation.
Result<ocs::Timing> set_round_circuits(SwitchUnderTest& sw, const std::vector<ocs::CrossConnect>& previous,
                                       const std::vector<ocs::CrossConnect>& circuits);

// Puts back the circuits the switch held before discovery (after disconnecting discovery's own).
Result<void> restore_circuits(SwitchUnderTest& sw, const std::vector<ocs::CrossConnect>& discovery_circuits);

}  // namespace mixnet::coord
