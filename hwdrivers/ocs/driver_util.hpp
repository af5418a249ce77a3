#pragma once
// Small pieces the drivers share: number parsing with errors that say what was bad, and timing.
#include <algorithm>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"
#include "hwdrivers/ocs/switch_uri.hpp"
#include "hwdrivers/ocs/tl1_session.hpp"

namespace mixnet::ocs {

std::string_view trim_view(std::string_view s);
Result<int> parse_int(std::string_view text, std::string_view what);
Result<double> parse_double(std::string_view text, std::string_view what);
// A Polatis port name ("17") as a number; errors name field "port".
Result<int> port_number(const PortId& port);

// Fills vendor, model and software version from an RTRV-NETYPE line
// "<vendor>,<model>,<type>,<version>" (a three-field line puts the version third).
void parse_netype_line(std::string_view line, SwitchInfo& info);

// A TL1 session as a switch URI asks for it (address, credentials, deadlines, keepalive with the
// cheap RTRV-NETYPE, which both Polatis and Calient answer); `name` labels its log lines.
Tl1SessionOptions tl1_session_options(const SwitchUri& uri, std::string name);

// Widens `t` to cover a command sent at sent_ns and acknowledged at acked_ns.
inline void stamp(Timing& t, std::int64_t sent_ns, std::int64_t acked_ns) {
  if (t.sent_ns == 0) t.sent_ns = sent_ns;
  t.acked_ns = std::max(t.acked_ns, acked_ns);
}

// A command or request whose reply was lost (sent_ns: when it began to leave us; 0: it never
// left): the switch may have run it, so the operation counts as begun then.
inline void stamp_unanswered(Timing& t, std::int64_t sent_ns) {
  if (t.sent_ns == 0) t.sent_ns = sent_ns;
}

// The operation lost its session or request and recovers (reconnects, re-reads, sends what is
// missing): counted, and the first cause kept for the caller.
inline void note_recovery(Timing& t, const Error& cause) {
  ++t.recoveries;
  if (t.recovery_cause.empty()) t.recovery_cause = cause.describe();
}

// A read-only or idempotent request that was lost and is about to be sent again: the lost one's
// send (when any of it left) starts the operation, and the retry counts as a recovery. No-op
// without a timing to fill.
inline void note_resend(Timing* t, std::int64_t lost_sent_ns, const Error& cause) {
  if (t == nullptr) return;
  stamp_unanswered(*t, lost_sent_ns);
  note_recovery(*t, cause);
}

// True for the errors after which a session or request may be retried: the link, not the switch.
inline bool is_transport_error(const Error& e) { return e.code == Errc::io || e.code == Errc::timeout; }

// Runs a read-only or idempotent TL1 command; a lost session is reopened and the command sent once
// more (note_resend into `timing`, when given). The one retry both TL1 drivers use.
Result<Tl1Result> query_with_resend(Tl1Session& session, const tl1::Command& cmd, Timing* timing);

}  // namespace mixnet::ocs
