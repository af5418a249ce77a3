#pragma once
// Which ends are lit and where each end's frames go, from the switch's light paths alone: pure
// logic, no kernel, so the rules are unit-tested on their own.
//
//   A light path from -> to means light entering OCS port `from` leaves at port `to` (an NxM
//   cross-connect in(from) -> out(to); an any-to-any connection is both directions).
//   An end's frames go where its TX fibre's light goes: to the end whose RX fibre sits on the
//   path's far port (one tc redirect).
//   An end emits light unless its transceiver is dark or its NIC port is admin down (a port set
//   down stops transmitting, as real optics do).
//   An end is lit when it receives light from some end B AND its own light reaches B: both
//   directions of a two-way circuit exist, and both ends emit. A half-made circuit leaves both
//   ends unlit. An end whose light comes back to itself (in(tx) -> out(rx) of the same end) is lit
//   with itself: its frames return to its own NIC.
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace mixnet::lab {

struct EndPorts {
  int tx = 0;                 // the port the end's light enters the switch at
  int rx = 0;                 // the port the end receives at (== tx for a one-port any-to-any end)
  bool dark = false;          // transceiver dead: emits nothing, never lit
  bool nic_admin_up = true;   // the NIC port is admin up (down: it transmits nothing)
};

[[nodiscard]] bool emits(const EndPorts& end);
// The switch ports that receive light from their own fibres: where an emitting end's TX sits.
[[nodiscard]] std::set<int> fibre_lit_ports(const std::vector<EndPorts>& ends);

using LightPaths = std::map<int, std::set<int>>;   // from port -> the ports its light reaches

struct LightOutcome {
  std::vector<std::optional<std::size_t>> redirect;   // per end: the end its frames reach
  std::vector<std::optional<std::size_t>> lit_with;   // per end: its peer while lit
};

LightOutcome evaluate_light(const std::vector<EndPorts>& ends, const LightPaths& paths);

void add_path(LightPaths& paths, int from, int to);
void remove_path(LightPaths& paths, int from, int to);
[[nodiscard]] bool has_path(const LightPaths& paths, int from, int to);

}  // namespace mixnet::lab
