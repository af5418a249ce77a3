#pragma once
// Polatis over TL1 (TCP, default port 3082). Ports are numbers: inputs 1..N, outputs N+1..N+M
// (any-to-any NxCC: 1..N). See docs/ocs-drivers.md for the commands each call sends.
#include <memory>
#include <optional>

#include "hwdrivers/ocs/optical_switch.hpp"
#include "hwdrivers/ocs/switch_uri.hpp"
#include "hwdrivers/ocs/tl1_session.hpp"

namespace mixnet::ocs {

class PolatisTl1Switch final : public OpticalSwitch {
 public:
  explicit PolatisTl1Switch(const SwitchUri& uri);
  Result<Timed<SwitchInfo>> info() override;
  Result<Timed<std::vector<CrossConnect>>> list() override;
  Result<Timed<Done>> apply(const ChangeSet& changes) override;
  Result<Timed<std::vector<PortState>>> port_status(const std::vector<PortId>& ports) override;
  Result<Timed<std::vector<PortPower>>> power(const std::vector<PortId>& ports) override;
  Result<Timed<Done>> set_port_enabled(const PortId& port, bool enabled) override;

  // Sessions opened so far (1 + recoveries); tests use it to see that a recovery happened.
  [[nodiscard]] std::uint64_t sessions_opened() const { return session_.generation(); }

 private:
  struct Size {
    int inputs = 0;
    int outputs = 0;
    bool any_to_any = false;
    [[nodiscard]] int ports() const { return any_to_any ? inputs : inputs + outputs; }
  };
  // Runs a read-only or idempotent command; a lost session is reopened and the command sent once
  // more (noted in `timing` as a recovery, the lost command's send kept as the start).
  Result<Tl1Result> query(const tl1::Command& cmd, Timing* timing);
  Result<Size> size_locked(Timing* timing);
  Result<std::vector<CrossConnect>> list_locked(Timing* timing);
  Result<void> send_changes(const ChangeSet& changes, Timing& timing);

  Tl1Session session_;
  std::optional<Size> size_;
};

// Parsers for the reply lines (exposed for the unit tests).
Result<std::pair<int, int>> parse_polatis_size(std::string_view line);     // "SYSTEM:SIZE=16x16", "16xCC"
Result<CrossConnect> parse_polatis_patch(std::string_view line);            // "11,28"
Result<PortPower> parse_polatis_power(std::string_view line);               // "9:-3.20"
Result<std::pair<PortId, PortStatus>> parse_polatis_shutter(std::string_view line);  // "5:CLOSED"

}  // namespace mixnet::ocs
