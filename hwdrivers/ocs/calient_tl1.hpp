#pragma once
// Calient S-series over TL1 (TCP, default port 3083). Ports are dotted ("1.1.1"). A connection is
// entered (ENT-CRS, two-way) and then activated (ACT-CRS); removing it is CANC-CRS then DLT-CRS.
// Every apply() reads RTRV-CRS first (a Calient names connections by source, destination, group
// and name, which only the switch knows), so an attempt after a lost session sends only what is
// missing, including an activation whose entry was made before the session dropped.
#include <optional>

#include "hwdrivers/ocs/change_plan.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"
#include "hwdrivers/ocs/switch_uri.hpp"
#include "hwdrivers/ocs/tl1_session.hpp"

namespace mixnet::ocs {

struct CalientConnection {
  std::string name;      // CONNNAME ("1.1.1-1.1.2": two-way, "1.1.1>1.1.2": one-way)
  PortId src;
  PortId dst;
  std::string group;
  bool two_way = true;
  bool active = true;    // activated (OS=RDY / PS=UPR); false: entered only
};

class CalientTl1Switch final : public OpticalSwitch {
 public:
  explicit CalientTl1Switch(const SwitchUri& uri);
  Result<Timed<SwitchInfo>> info() override;
  Result<Timed<std::vector<CrossConnect>>> list() override;
  Result<Timed<Done>> apply(const ChangeSet& changes) override;
  Result<Timed<std::vector<PortState>>> port_status(const std::vector<PortId>& ports) override;
  Result<Timed<std::vector<PortPower>>> power(const std::vector<PortId>& ports) override;
  // The Calient TL1 commands for port administration are not in REFERENCE.md and are not
  // implemented: this returns Errc::unavailable and sends nothing.
  Result<Timed<Done>> set_port_enabled(const PortId& port, bool enabled) override;

  [[nodiscard]] std::uint64_t sessions_opened() const { return session_.generation(); }

 private:
  // Runs a read-only command; a lost session is reopened and the command sent once more (noted in
  // `timing` as a recovery, the lost command's send kept as the start).
  Result<Tl1Result> query(const tl1::Command& cmd, Timing* timing);
  Result<std::vector<CalientConnection>> entries_locked(Timing* timing);
  Result<void> apply_once(const ChangeSet& changes, Timing& t, RecoveryBudget* budget);

  Tl1Session session_;
  std::string group_;
};

// "2.3.6-3.2.5:SRCPORT=2.3.6,DSTPORT=3.2.5,GRPNAME=G1,CONNNAME=2.3.6-3.2.5,CONNTYPE=2WAY,..."
Result<CalientConnection> parse_calient_crs(std::string_view line);
// "1.1.1:ALIAS=NONE,INPWR=-3.1,OUTPWR=-2.9,..." -> the port and its KEY=VALUE fields.
struct CalientPortSummary {
  PortId port;
  std::optional<double> in_dbm;
  std::optional<double> out_dbm;
  std::string status;      // STATUS= when the switch gives one
  std::string connection;  // CONNNAME= ("NONE" when free)
  std::string alias;
};
Result<CalientPortSummary> parse_calient_port_sum(std::string_view line);
// A dotted port name "SHELF.SLOT.PORT"; errors name field "port".
Result<void> check_calient_port(const PortId& port);

}  // namespace mixnet::ocs
