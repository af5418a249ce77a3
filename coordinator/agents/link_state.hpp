#pragma once
// What the coordinator knows about each agent's ports, kept up to date from the agent's inventory
// (a snapshot) and its link-event journal (every change since, with the agent's own time stamps).
// The pool keeps one per host for the whole run, so a step can ask "when did h1:ocs0 last come
// up?" about a link that came up during an earlier step.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/wire/agent_api.hpp"

namespace mixnet::coord {

// The far end a port heard on its own (a `neighbor` event: its hello or answer) since its carrier
// last went down; docs/agent-api.md, "Neighbours learnt on their own".
struct HeardNeighbor {
  std::string host_id;             // the far end's agent
  std::string port;
  std::int64_t time_ns = 0;        // agent clock: the frame was read
};

struct PortLinkState {
  bool admin_up = false;
  bool carrier = false;
  std::string oper_state;
  std::int64_t link_up_ns = 0;     // agent clock: the last link_up event (0: none seen)
  std::int64_t link_down_ns = 0;   // agent clock: the last link_down event (0: none seen)
  std::uint64_t seq = 0;           // the last event applied (0: state from a snapshot only)
  bool removed = false;            // the netdev went away (a `removed` event)
  std::optional<HeardNeighbor> neighbor;   // since the last link_down (cleared by it)
  [[nodiscard]] bool up() const { return admin_up && carrier && !removed; }
};

class LinkStateTable {
 public:
  // A snapshot: carrier and admin state as the agent reports them now. Event times are kept.
  void apply(const wire::Inventory& inventory);
  void apply(const wire::PortInfo& port);
  // An event from the journal, in sequence order. Events at or before the last applied sequence
  // number of their port are ignored (the same page may be read twice after a retry).
  void apply(const wire::LinkEvent& event);
  // The agent restarted: sequence numbers start again and old event times mean nothing now.
  void forget_events();

  [[nodiscard]] const PortLinkState* find(const std::string& port) const;
  [[nodiscard]] const std::map<std::string, PortLinkState>& ports() const { return ports_; }

 private:
  std::map<std::string, PortLinkState> ports_;
};

}  // namespace mixnet::coord
