#pragma once
// Which of a port's carrier changes the nightly run caused itself, and which are flaps
// (docs/health/counters.md, "Flaps").
//
// The run re-patches the switch: every cover and retest round takes OCS ports down and up, and the
// previous run's closing ocs.clear took every lit port down. health.bandwidth reads the counters
// right before each apply, right after its links verified and right after its traffic test, and
// keeps each stretch as a CarrierWindow. A reconfiguration window explains at most one down and one
// up per port (kChangesPerReconfiguration): anything more in it is a flap too. Changes inside a
// test window are flaps outright (nothing re-patched the switch then); they are counted apart for
// the evidence and stay in the unexplained figure. Pure: unit-tested on hand-made windows.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mixnet::coord::health {

// A port goes down once (its old circuit removed) and up once (its new one lit) per re-patch.
inline constexpr std::uint64_t kChangesPerReconfiguration = 2;
// The previous run's ocs.clear took a lit port down once.
inline constexpr std::uint64_t kChangesPerClosingClear = 1;

enum class CarrierWindowKind { reconfiguration, test };
[[nodiscard]] const char* to_string(CarrierWindowKind k);

// One port's carrier changes over a stretch of the run that the run knows about.
struct CarrierWindow {
  std::string port;                      // "h1:ocs0"
  CarrierWindowKind kind = CarrierWindowKind::reconfiguration;
  std::string label;                     // "cover-1", "retest-3"
  std::string boot_id;                   // the host's boot at the window's end reading
  std::int64_t start_ns = 0;             // the agent's read times (its CLOCK_REALTIME), so they
  std::int64_t end_ns = 0;               // compare with the same host's other readings
  std::optional<std::uint64_t> changes;  // none: a reading failed (why)
  std::string why;
};

// The stretch a carrier_changes delta covers, from two readings of one host.
struct CarrierSpan {
  std::int64_t from_ns = 0;       // the earlier reading's agent time
  std::int64_t to_ns = 0;         // the later reading's agent time
  std::string boot_id;            // the later reading's boot
  bool from_reset = false;        // the delta was counted from a reset (reboot, re-created netdev, wrap)
  bool after_previous_run = false;// the span starts in an earlier run, so its closing ocs.clear is inside
  bool ocs_port = false;          // only OCS ports are re-patched
};

struct CarrierAccount {
  std::uint64_t raw = 0;                       // the counter's delta over the span
  std::uint64_t explained = 0;                 // the run's own re-patching (and the previous clear)
  std::optional<std::uint64_t> unexplained;    // raw - explained; none when a window inside could not be read
  std::uint64_t in_tests = 0;                  // changes inside test windows (part of unexplained)
  std::vector<std::string> explained_by;       // "cover-1 1", "previous run's ocs.clear 1"
  std::string why_unknown;                     // when !unexplained
  std::string arithmetic;                      // "7 raw - 5 explained (...) = 2 unexplained (2 during tests: cover-1)"
};

// Accounts for `raw` carrier changes of `port` over `span`: the windows of that port that lie
// inside the span (and, after a reset, belong to the span's boot) explain up to
// kChangesPerReconfiguration each; the previous run's clear up to kChangesPerClosingClear on an
// OCS port. Explained never exceeds raw (after a reset the count may not include every window).
CarrierAccount account_carrier_changes(std::uint64_t raw, const std::string& port, const CarrierSpan& span,
                                       const std::vector<CarrierWindow>& windows);

}  // namespace mixnet::coord::health
