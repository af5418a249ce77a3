#pragma once
// What the link verifier (link_verifier.hpp) found, typed: one verdict per port, with what each
// direction of the identity probe showed. links.verify turns it into items (JSON only there);
// measure.reconfig reads the confirmation time of the identity.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/agents/link_state.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

struct ExpectedLink {
  PortRef a;
  PortRef b;
};

enum class LinkVerdict {
  ok,            // both ends up, each heard the other
  miswired,      // the port's probe was heard by another port (or it heard another port)
  dark,          // no carrier at either end
  one_sided,     // carrier at one end only, or the probe got through one way only
  unreachable,   // the port's agent (or the far end's) did not answer
  failed,        // anything else (an unmanaged port; carrier at both ends but no probe got through)
};
// The item status it is reported as: "ok", "miswired", "dark", "one-sided", "unreachable", "failed".
std::string_view to_string(LinkVerdict verdict);

// One direction of a link's identity probe: `from` sends probes, `to` should hear them.
struct ProbeDirection {
  bool heard = false;                // the expected far end heard this verification's nonce (or its hello)
  bool by_hello = false;             // heard: through the agents' own hellos (no probe was sent)
  int rounds = 0;                    // probe requests made
  std::uint64_t nonce = 0;           // the last round's nonce
  std::int64_t probe_sent_ns = 0;    // the sender's clock: the last frame left (0: none sent)
  std::int64_t far_receive_ns = 0;   // the receiver's clock: the frame arrived (0: not heard)
  std::int64_t confirmed_ns = 0;     // the coordinator's clock: the far end's reply confirming it
  std::string send_error;            // the probe could not be sent (port down, agent refused)
  std::vector<std::string> heard_by;   // diagnosis: other ports ("h3:ocs2") that heard the nonce
};

struct PortVerdict {
  PortRef port;
  PortRef expected_peer;
  LinkVerdict verdict = LinkVerdict::failed;
  std::string message;                       // for people: names the real and the expected peer ...
  std::optional<std::string> actual_peer;    // miswired: the port it is really cabled to
  // The hosts the verdict counts against when not ok; empty: the port's own host.
  std::vector<std::string> counts_against;
  ProbeDirection probe_out;                  // the port's own probes
  ProbeDirection probe_in;                   // the expected peer's probes
  std::optional<PortLinkState> link_state;   // what the pool knew of the port at the verdict
  std::optional<std::int64_t> clock_offset_ns;   // the port's agent clock minus the coordinator's
  std::int64_t started_ns = 0;               // CLOCK_REALTIME: the verification began
  std::int64_t finished_ns = 0;              // CLOCK_REALTIME: this verdict was reached

  // When the identity was confirmed both ways (coordinator clock): the later direction's
  // confirmation; nullopt unless the verdict is ok.
  [[nodiscard]] std::optional<std::int64_t> identity_confirmed_ns() const;
};

struct LinkVerifyReport {
  std::vector<PortVerdict> ports;        // two per link, in the order of the links (a, then b)
  std::int64_t all_verified_ns = 0;      // CLOCK_REALTIME (coordinator) of the last verdict
  std::int64_t last_link_up_ns = 0;      // the latest link-up time among the ports (agent clocks,
                                         // aligned to the coordinator's where an offset is known)
};

}  // namespace mixnet::coord
