#pragma once
// Runs the agent until SIGINT or SIGTERM: one io_context on one thread for the API, the link
// watcher and the probe sockets. Returns the process exit code.
#include "agent/agent_config.hpp"

namespace mixnet::agent {

int run_agent(const AgentConfig& config);

}  // namespace mixnet::agent
