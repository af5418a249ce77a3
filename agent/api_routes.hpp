#pragma once
// The /v1 routes of the agent API (docs/agent-api.md) and /metrics, registered on a Server.
#include "agent/agent_context.hpp"

namespace mixnet::http {
class Server;
}

namespace mixnet::agent {

void register_routes(http::Server& server, AgentContext& ctx);

}  // namespace mixnet::agent
