#pragma once
// One interface for every optical circuit switch (Polatis TL1, Polatis RESTCONF, Calient TL1, and
// whatever the emulator is pretending to be). Callers never know which protocol or whether the
// hardware is real. Every operation returns its outcome with the ns times (CLOCK_REALTIME) at
// which the command was sent and acknowledged.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace mixnet::ocs {

// Ports are the switch's own names: "17" on a Polatis, "1.1.1" on a Calient.
using PortId = std::string;

struct CrossConnect {
  PortId from;   // ingress
  PortId to;     // egress
  bool bidirectional = false;   // Calient 2WAY, or an NxCC any-to-any connection
  friend bool operator==(const CrossConnect&, const CrossConnect&) = default;
};

struct SwitchInfo {
  std::string vendor;
  std::string model;
  std::string serial;
  std::string software_version;
  int inputs = 0;         // N of an NxM switch
  int outputs = 0;        // M; 0 with any_to_any
  bool any_to_any = false;  // NxCC
};

enum class PortStatus { enabled, disabled, failed };

struct PortState {
  PortId port;
  PortStatus status = PortStatus::enabled;
  std::optional<PortId> connected_to;
  std::string label;
};

struct PortPower {
  PortId port;
  double dbm = -60.0;
  // The light arriving at the port from its own fibre, where the switch reports it apart from
  // `dbm` (Calient's INPWR beside OUTPWR); empty where `dbm` is the only reading (on an NxM
  // switch an input's `dbm` is that light already).
  std::optional<double> input_dbm;
};

// A change applied as one operation. The driver orders it as the switch needs: every disconnect
// of a port that moves before any connect.
struct ChangeSet {
  std::vector<CrossConnect> connect;
  std::vector<PortId> disconnect;   // by either end
};

// The time an operation took at the switch, from the first command that left for it to the moment
// the switch is known to hold its outcome. When a session or request was lost on the way (the
// switch may or may not have run the command), the driver recovers: it reconnects, re-reads the
// switch and sends only what is missing. The span then still starts at the first command that
// left (on the session that was lost), ends at the reply or read-back that showed the outcome in
// place, and `recoveries` says that it happened: after a recovery the end may be a read-back of
// the switch's configuration rather than a completion reply, so the mirrors may still have been
// moving then. docs/ocs-drivers.md, "Timing".
struct Timing {
  std::int64_t sent_ns = 0;   // the first command of the operation began to leave us
  std::int64_t acked_ns = 0;  // the switch is known to hold it: its completion reply, or the read-back after a recovery
  int recoveries = 0;         // lost sessions or requests recovered from within the operation
  std::string recovery_cause; // the first loss, e.g. "ENT-PATCH::1,17: the switch 10.0.0.5 closed the session"
  // acked_ns is the read-back that found the change in place, not a completion reply (that reply
  // was lost): the switch had accepted the change then; its mirrors may still have been moving.
  bool acked_by_read_back = false;
  [[nodiscard]] bool recovered() const { return recoveries > 0; }
};

// "after 2 session recoveries (ENT-PATCH::1,17: the switch ... closed the session)", and
// "; confirmed by a read-back, not by the switch's completion reply" when that is how it ended;
// empty when there was no recovery.
std::string describe_recovery(const Timing& t);

// `next`, an operation that followed the ones `span` covers, added to it: the span runs from the
// first send to the last acknowledgement, and the recoveries add up.
void append(Timing& span, const Timing& next);

template <class T>
struct Timed {
  T value;
  Timing timing;
};
struct Done {};

class OpticalSwitch {
 public:
  virtual ~OpticalSwitch() = default;
  virtual Result<Timed<SwitchInfo>> info() = 0;
  virtual Result<Timed<std::vector<CrossConnect>>> list() = 0;
  virtual Result<Timed<Done>> apply(const ChangeSet& changes) = 0;
  virtual Result<Timed<std::vector<PortState>>> port_status(const std::vector<PortId>& ports) = 0;  // empty = all
  virtual Result<Timed<std::vector<PortPower>>> power(const std::vector<PortId>& ports) = 0;       // empty = all
  virtual Result<Timed<Done>> set_port_enabled(const PortId& port, bool enabled) = 0;
};

// "polatis-tl1://admin@192.0.2.5:3082", "polatis-rest://admin@192.0.2.5:8008",
// "calient-tl1://admin@192.0.2.6:3083"; the password comes from the URI (user:pass@) or from a
// file named beside it (?password-file=PATH). Errors name the bad part of the URI.
Result<std::unique_ptr<OpticalSwitch>> open_switch(const std::string& uri);

}  // namespace mixnet::ocs
