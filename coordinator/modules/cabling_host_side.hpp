#pragma once
// cabling.discover's view of the hosts: it switches NIC transmitters on and off (a port set admin
// down emits no light, as real optics do) and hears, from the agents' event journals, which NIC
// each port heard at the far end of a circuit (the `neighbor` event an agent journals on its own
// when a port's carrier comes up). Only the agents' public API.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/journal_reader.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

// What each host's agent said before discovery touched anything: its ports' admin state, or why
// it could not be asked (then its ports cannot be discovered).
struct HostsAtStart {
  std::map<PortRef, bool> admin_up;        // every asked port the agent manages
  std::map<std::string, Error> unreachable;   // host -> why
  std::map<PortRef, Error> unmanaged;      // the agent answered but does not manage this port
};
HostsAtStart read_hosts_at_start(AgentPool& pool, const std::vector<PortRef>& ports, std::int64_t deadline_ns);

// Sets each port's admin state (one request per port, all in parallel). Returns the ports whose
// agent failed, with why.
std::map<PortRef, Error> set_transmitters(AgentPool& pool, const std::map<PortRef, bool>& admin_up, std::int64_t deadline_ns);

// One port heard another (or itself) at the far end.
struct HeardNeighbour {
  PortRef receiver;
  PortRef sender;            // host "" when the sender's agent id is not an inventory host
  std::int64_t time_ns = 0;  // the receiver's agent clock
};

// Hears `neighbor` events from the hosts' journals through a reader of its own.
class NeighbourListener {
 public:
  explicit NeighbourListener(AgentPool& pool) : pool_(pool), reader_(pool) {}
  // Forgets everything the journals hold now: what listen() returns next happened after this.
  Result<void> mark(const std::vector<std::string>& hosts, std::int64_t deadline_ns);
  // Collects what `waiting_for` ports hear until each heard something or the deadline passes.
  Result<std::vector<HeardNeighbour>> listen(const std::vector<std::string>& hosts, const std::vector<PortRef>& waiting_for,
                                    std::int64_t deadline_ns, const std::atomic<bool>* cancel);

 private:
  AgentPool& pool_;
  JournalReader reader_;
};

}  // namespace mixnet::coord
