#pragma once
// How much each counter of a port grew between two readings (docs/health/counters.md, "Resets").
//
// Counters only grow until something resets them. A reset is detected, typed and said, never
// turned into a delta: the host rebooted (its boot id changed), the netdev was re-created (its
// ifindex changed: driver reload, module unload), or one counter went backwards while the rest of
// the port did not say why (a driver that resets one counter, a 32-bit counter that wrapped). After
// a reset the delta is counted from the reset: the later value, the most that can have happened
// since, never a huge negative or a wrapped 2^64 - n.
//
// A counter with no value now has no delta (why says why: the rules count that as a failure). A
// counter that had no value before but has one now gets no delta either: there is nothing to count
// from, and this reading becomes the baseline (why says so); a port absent from the earlier reading
// likewise. A counter absent both times because this kernel or driver does not keep it
// (Absence::missing) is not a figure of the port at all and yields nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/wire/counters_api.hpp"

namespace mixnet::coord::health {

enum class CounterReset {
  none,
  reboot,           // the host's boot id changed: every counter restarted
  port_recreated,   // the netdev's ifindex changed: its counters restarted (driver reload)
  went_backwards,   // this counter is lower than before, with no other sign (counter reset or wrap)
};
[[nodiscard]] const char* to_string(CounterReset r);

struct CounterDelta {
  std::string counter;                  // "carrier_changes", "rx_crc_errors", "symbol_error", "port_xmit_octets"
  bool ib = false;                      // an IB port counter (else a netdev counter)
  std::optional<std::uint64_t> before;
  std::optional<std::uint64_t> after;
  std::optional<std::uint64_t> delta;   // none: no figure (why)
  CounterReset reset = CounterReset::none;
  std::string why;                      // the reset in words, or why there is no delta
};

// One port's reading with what says which boot of its host it belongs to.
struct PortReading {
  std::string boot_id;
  const wire::PortCounters* port = nullptr;   // null: the port was not in that reading
};

// The deltas of one port from `before` to `after` (after.port must be set): one entry per counter
// of either reading (netdev counters first, then IB counters, each in name order), except those
// absent-missing on both sides.
std::vector<CounterDelta> port_counter_deltas(const PortReading& before, const PortReading& after);

// The unit of a counter's figure: "bytes" for *_bytes and *_octets, "packets" for *_packets,
// else "count".
[[nodiscard]] std::string_view counter_unit(std::string_view counter);

}  // namespace mixnet::coord::health
