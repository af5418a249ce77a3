#include "coordinator/health/carrier_account.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mixnet::coord::health {

const char* to_string(CarrierWindowKind k) {
  return k == CarrierWindowKind::test ? "test" : "reconfiguration";
}

CarrierAccount account_carrier_changes(std::uint64_t raw, const std::string& port, const CarrierSpan& span,
                                       const std::vector<CarrierWindow>& windows) {
  CarrierAccount a;
  a.raw = raw;
  std::vector<std::string> unread;
  std::vector<std::string> test_labels;
  // What is left to explain: a window never explains changes the raw count does not hold.
  std::uint64_t left = raw;
  const auto take = [&](std::uint64_t n, std::string by) {
    const std::uint64_t t = std::min(n, left);
    if (t == 0) return;   // nothing left to explain: the window is not part of the sum
    left -= t;
    a.explained += t;
    a.explained_by.push_back(fmt::format("{} {}", by, t));
  };
  if (span.after_previous_run && span.ocs_port) take(kChangesPerClosingClear, "previous run's ocs.clear");
  for (const auto& w : windows) {
    if (w.port != port || w.start_ns < span.from_ns || w.end_ns > span.to_ns) continue;
    // After a reboot the count starts at the reboot: a window of the earlier boot is not in it.
    if (span.from_reset && w.boot_id != span.boot_id) continue;
    if (!w.changes) {
      if (w.kind == CarrierWindowKind::reconfiguration) unread.push_back(fmt::format("{} ({})", w.label, w.why));
      continue;
    }
    if (w.kind == CarrierWindowKind::test) {
      a.in_tests += *w.changes;
      if (*w.changes > 0) test_labels.push_back(w.label);
      continue;
    }
    if (*w.changes > 0) take(std::min(*w.changes, kChangesPerReconfiguration), w.label);
  }
  const std::string by = a.explained_by.empty() ? std::string() : fmt::format(" ({})", fmt::join(a.explained_by, ", "));
  if (!unread.empty()) {
    a.why_unknown = fmt::format("the counters around a reconfiguration could not be read: {}", fmt::join(unread, "; "));
    a.arithmetic = fmt::format("{} raw - {} explained{} = unknown: {}", raw, a.explained, by, a.why_unknown);
    return a;
  }
  a.unexplained = left;
  a.arithmetic = fmt::format("{} raw - {} explained{} = {} unexplained", raw, a.explained, by, left);
  if (a.in_tests > 0) a.arithmetic += fmt::format(" ({} during tests: {})", a.in_tests, fmt::join(test_labels, ", "));
  if (span.from_reset) a.arithmetic += ", counted from a reset";
  return a;
}

}  // namespace mixnet::coord::health
