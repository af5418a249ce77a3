#pragma once
// links.verify's engine: every expected link is up at both ends and the identity probe proves
// that each end sees the expected peer. Policy over the agent client (coordinator/agents/), not
// a part of it. Event-driven from start to end:
//
//  1. read each agent's event journal up to now and its inventory (carrier, admin state);
//  2. a link up at both ends whose ends have each journaled the other as the neighbour they heard
//     on their own (the agents' hellos at carrier up: `neighbor` events) is confirmed at once,
//     with no request; otherwise it is probed, the probes held back for those events (30 ms, or
//     longer while this run's hellos are seen to be slower: hello_grace.hpp).
//     Links not yet up: each agent's journal is long-polled and a link is handled the moment its
//     second end comes up;
//  3. probing a link: both ends send probes with a fresh nonce (POST /v1/probes), then each far
//     end is asked whether it heard it (GET /v1/neighbors?port&nonce), re-asked after 1, 2, 4 ...
//     ms while the frames are in flight, and the unheard direction is probed again (bounded);
//  4. a direction still unheard is diagnosed: every agent is asked who heard that nonce, which
//     names the real peer of a miswired port;
//  5. at the deadline, links still waiting for carrier are dark (no carrier at either end) or
//     one-sided (carrier at one end only).
//
// Verdicts, one per port (link_verdict.hpp):
//   ok          both ends up, each heard the other
//   miswired    the port's probe was heard by another port (or it heard another port): the
//               message names the real peer and the expected one
//   dark        no carrier at either end
//   one-sided   carrier at one end only, or the probe got through one way only
//   unreachable the port's agent (or the far end's) did not answer; the verdict counts against
//               the host whose agent failed
//   failed      anything else (the agent does not manage the port; carrier at both ends but no
//               probe got through either way and no other port heard it)
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/verify/link_verdict.hpp"

namespace mixnet::coord {

struct LinkVerifyOptions {
  std::int64_t deadline_ns = 0;          // monotonic_ns(): every verdict is in by then
  std::uint32_t probe_count = 2;         // frames per probe request (1..16)
  int probe_rounds = 3;                  // probe requests per direction before diagnosing
  std::vector<std::string> all_hosts;    // where to look for a miswired port's real peer
                                         // (empty: the hosts of the expected links)
  const std::atomic<bool>* cancel = nullptr;
};

// Runs the verification; `on_verdict` sees each port's verdict the moment it is reached (to
// record it).
LinkVerifyReport verify_links(AgentPool& pool, const std::vector<ExpectedLink>& links, const LinkVerifyOptions& options,
                              const std::function<void(const PortVerdict&)>& on_verdict = {});

}  // namespace mixnet::coord
