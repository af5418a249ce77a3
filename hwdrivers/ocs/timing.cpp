#include <fmt/format.h>

#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::ocs {

std::string describe_recovery(const Timing& t) {
  if (!t.recovered()) return {};
  std::string s = fmt::format("after {} session recover{}", t.recoveries, t.recoveries == 1 ? "y" : "ies");
  if (!t.recovery_cause.empty()) s += " (" + t.recovery_cause + ")";
  if (t.acked_by_read_back) s += "; confirmed by a read-back, not by the switch's completion reply";
  return s;
}

void append(Timing& span, const Timing& next) {
  if (span.sent_ns == 0) span.sent_ns = next.sent_ns;
  if (next.acked_ns != 0) {
    span.acked_ns = next.acked_ns;
    span.acked_by_read_back = next.acked_by_read_back;
  }
  span.recoveries += next.recoveries;
  if (span.recovery_cause.empty()) span.recovery_cause = next.recovery_cause;
}

}  // namespace mixnet::ocs
