#pragma once
// The optical power check's judgement (docs/health/power.md): one switch's power readings, the
// circuits it holds and the inventory's cabling and thresholds in; an Observation per cabled OCS
// port and a Finding per port that should carry light and does not carry enough out. Pure: the
// ocs.power module does the switch I/O, so every case is unit-tested on hand-made readings.
//
// What an NxM switch reads (docs/ocs-drivers.md, docs/ocs-emulator.md "Power"): an input port's
// monitor sees the light arriving from its fibre (the NIC's transmitter), an output port's the
// light leaving towards the far NIC. So a weak input (dirty connector, failing transmitter) shows
// at the input alone, while a loss in the switch core or at the output connector shows as the
// circuit's path loss (input minus output) at the output. An output that is low only because its
// input is low is not blamed: the input already is.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/health/health_types.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord {
struct Inventory;
struct Switch;
}

namespace mixnet::coord::health {

// The limits one OCS port is judged against, resolved (power_limits_for).
struct PowerLimits {
  double min_input_dbm = -10.0;          // an input (or duplex port) below: critical
  std::optional<double> warn_input_dbm;  // below: warning
  double max_loss_db = 3.0;              // a circuit losing more, input to output: critical
  std::optional<double> warn_loss_db;    // more: warning
  double dark_dbm = -40.0;               // at or below: no light at all (switches read a floor, -60 on a Polatis)
};

// The check's defaults overlaid with the switch's inventory thresholds, then with the port's own
// (power_ports), field by field.
[[nodiscard]] PowerLimits power_limits_for(const Switch& sw, const std::string& switch_port);

enum class OcsPortRole {
  input,    // NxM: the NIC's TX fibre lands here
  output,   // NxM: the NIC's RX fibre leaves from here
  duplex,   // any-to-any switch or BiDi optics: one port both ways
};
[[nodiscard]] const char* to_string(OcsPortRole role);

// One switch port the inventory cables, and to which NIC port.
struct CabledOcsPort {
  std::string switch_port;   // "17"
  std::string nic_port;      // "h1:ocs0"
  OcsPortRole role = OcsPortRole::input;
  PowerLimits limits;
};

// Every switch port the inventory cables to `sw` (tx: input, rx: output, port: duplex), host by
// host in inventory order, each with its resolved limits. Fails naming the NIC ports the
// inventory puts on `sw` without their map (unmapped_cabling.hpp): their switch ports, which the
// check must read, are unknown.
[[nodiscard]] Result<std::vector<CabledOcsPort>> cabled_ocs_ports(const Inventory& inventory, const Switch& sw);

struct SwitchPowerInput {
  std::string switch_name;                   // "ocs1": parts are "ocs1/17"
  std::vector<CabledOcsPort> cabled;         // every port to judge, in the order to report
  std::vector<ocs::CrossConnect> circuits;   // what the switch holds now
  // The switch's readings; absent when power() failed for the whole switch (read_error says why).
  // A cabled port missing from the readings is unreadable too.
  std::optional<std::vector<ocs::PortPower>> readings;
  std::string read_error;
  std::int64_t at_ns = 0;                    // when the readings were taken (CLOCK_REALTIME)
};

// The verdict on one cabled OCS port: what an item shows.
struct OcsPortPower {
  std::string part;                        // "ocs1/17"
  std::string nic_port;                    // "h1:ocs0"
  OcsPortRole role = OcsPortRole::input;
  bool should_be_lit = false;              // a circuit carries (or feeds) light through it
  std::optional<double> dbm;               // its reading
  std::optional<double> path_loss_db;      // outputs fed by a lit input: input minus output
  std::optional<std::string> circuit_peer; // the switch port at the circuit's other end
  Severity severity = Severity::ok;
  std::string rule;                        // the worst finding's rule (kDarkRule, ...); empty when ok
  std::string message;                     // "ok", "reads -13.50 dBm < min -10.0", ...
};

struct SwitchPowerJudgement {
  std::vector<OcsPortPower> ports;         // one per cabled port, in input order
  std::vector<Observation> observations;   // per port: input_power_dbm or output_power_dbm, and path_loss_db
  std::vector<Finding> findings;           // non-ok only
};

[[nodiscard]] SwitchPowerJudgement judge_switch_power(const SwitchPowerInput& input);

// The figure names and the rule names the findings carry.
inline constexpr const char* kInputPowerFigure = "input_power_dbm";
inline constexpr const char* kOutputPowerFigure = "output_power_dbm";
inline constexpr const char* kPathLossFigure = "path_loss_db";
inline constexpr const char* kPowerSource = "ocs.power";
inline constexpr const char* kDarkRule = "power.dark";
inline constexpr const char* kMinInputRule = "power.min_input";
inline constexpr const char* kWarnInputRule = "power.warn_input";
inline constexpr const char* kMaxLossRule = "power.max_loss";
inline constexpr const char* kWarnLossRule = "power.warn_loss";
inline constexpr const char* kUnreadableRule = "power.unreadable";

}  // namespace mixnet::coord::health
