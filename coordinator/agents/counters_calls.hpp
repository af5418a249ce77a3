#pragma once
// GET /v1/counters on many agents at once (docs/agent-api.md, "Port counters"): a batch like the
// pool's own calls, every host in parallel, each with its own outcome, in the order given. A reply
// the agent sent is checked strictly (wire::parse_counters_reply); a refusal names the host and
// the field ("h2: GET /v1/counters: ports[0].netdev.rx_errors: must be ...").
#include <cstdint>
#include <string>
#include <vector>

#include "common/wire/counters_api.hpp"
#include "coordinator/agents/agent_pool.hpp"

namespace mixnet::coord {

using CountersReplyOf = AgentReply<wire::CountersReply>;

// deadline_ns (monotonic_ns()) bounds the batch; 0: the pool's default. Reads are idempotent and
// retried like any read.
std::vector<CountersReplyOf> read_agent_counters(AgentPool& pool, const std::vector<std::string>& hosts,
                                                 std::int64_t deadline_ns = 0);

}  // namespace mixnet::coord
