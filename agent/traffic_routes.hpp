#pragma once
// The /v1/traffic routes (docs/agent-api.md, "Traffic tests"): start a receiving server or a
// sending run on a managed port, read a run's report, cancel it.
#include "agent/agent_context.hpp"

namespace mixnet::http {
class Server;
}

namespace mixnet::agent {

void register_traffic_routes(http::Server& server, AgentContext& ctx);

}  // namespace mixnet::agent
