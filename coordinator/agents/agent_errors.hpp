#pragma once
// How one HTTP exchange with an agent becomes a Result: a transport failure, an API error
// ({"error": {"code", "message", "field"}}, docs/agent-api.md) or a JSON reply. Every error
// message starts with the host and the request, so a per-host verdict reads on its own:
// "h2: POST /v1/ports/ocs0/config: HTTP 400 invalid_argument: mtu: must be 68..65535, got 70000".
// An error status from the agent has Cause::http_status: the agent was reached and answered.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/agents/http_multi.hpp"

namespace mixnet::coord {

// The agent API's error code name -> Errc ("not_found" -> Errc::not_found); unknown names: internal.
Errc agent_error_code(std::string_view code);

Result<nlohmann::json> interpret_agent_reply(const std::string& host, const std::string& what, const HttpOutcome& outcome);

}  // namespace mixnet::coord
