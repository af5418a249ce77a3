#pragma once
// POST /v1/carrier/poll (docs/agent-api.md, "Carrier polling"): arms the carrier poller for some
// managed ports and a window, the way the coordinator does before it re-patches the switch for a
// measurement. Outside an armed window the agent reads no carrier counter.
#include "agent/agent_context.hpp"

namespace mixnet::http {
class Server;
}

namespace mixnet::agent {

void register_carrier_route(http::Server& server, AgentContext& ctx);

}  // namespace mixnet::agent
