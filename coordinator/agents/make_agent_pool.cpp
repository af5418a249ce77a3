// The agent pool for an inventory: endpoints and their tokens.
#include <cerrno>
#include <fstream>
#include <sstream>

#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

namespace {

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

Result<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail_errno("token file " + path, errno);
  std::string line;
  std::getline(in, line);
  std::string token = trim(line);
  if (token.empty()) return fail(Errc::invalid_argument, "token file " + path + " is empty", "token_file");
  return token;
}

Result<std::unique_ptr<AgentPool>> make_agent_pool(const Inventory& inventory, AgentPoolOptions options) {
  std::vector<AgentEndpoint> endpoints;
  for (std::size_t i = 0; i < inventory.hosts.size(); ++i) {
    const Host& h = inventory.hosts[i];
    const std::string field = "hosts[" + std::to_string(i) + "].agent.url";
    const std::string& url = h.agent.url;
    const bool http = url.rfind("http://", 0) == 0;
    const bool https = url.rfind("https://", 0) == 0;
    if (!http && !https) {
      return fail(Errc::invalid_argument, "agent URL of host " + h.name + " must start with http:// or https://, got '" + url + "'",
                  field);
    }
    if (url.size() <= (http ? 7u : 8u)) {
      return fail(Errc::invalid_argument, "agent URL of host " + h.name + " names no address", field);
    }
    AgentEndpoint e{.host = h.name, .url = url};
    if (!h.agent.token_file.empty()) {
      if (auto token = read_token_file(h.agent.token_file)) e.token = *token;
      else e.broken = token.error();
    }
    endpoints.push_back(std::move(e));
  }
  return std::make_unique<AgentPool>(std::move(endpoints), options);
}

}  // namespace mixnet::coord
