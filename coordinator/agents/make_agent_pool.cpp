// The agent pool for an inventory: endpoints and their tokens.
#include <unistd.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "common/open_files_limit.hpp"
#include "common/token_file.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

namespace {

// The inventory's client certificate, checked once: a key open to group or others, or a file that
// cannot be read, breaks every https:// host with an error naming the field.
std::optional<Error> client_certificate_problem(const TlsDefaults& tls) {
  if (tls.client_key_file.empty()) return std::nullopt;
  if (auto key = stat_private_file(tls.client_key_file, "client key", "tls.client_key_file"); !key) return key.error();
  if (::access(tls.client_key_file.c_str(), R_OK) != 0) {
    auto bad = fail_errno("client key " + tls.client_key_file, errno);
    bad.error().field = "tls.client_key_file";
    return bad.error();
  }
  if (::access(tls.client_cert_file.c_str(), R_OK) != 0) {
    auto bad = fail_errno("client certificate " + tls.client_cert_file, errno);
    bad.error().field = "tls.client_cert_file";
    return bad.error();
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<AgentPool>> make_agent_pool(const Inventory& inventory, AgentPoolOptions options) {
  // The pool's connections to the agents, beside the switches' sessions, the store and the run's files.
  const std::uint64_t wanted = inventory.hosts.size() * (kConnectionsPerAgent + 2) + inventory.switches.size() * 4 + 256;
  if (auto limit = raise_open_files_limit(wanted); !limit) {
    spdlog::warn("agent pool: {}", limit.error().describe());
  } else if (*limit < wanted) {
    spdlog::warn("agent pool: open files limited to {} (RLIMIT_NOFILE), below the {} that {} agents may need; raise it "
                 "(ulimit -n, or LimitNOFILE= in a systemd unit)", *limit, wanted, inventory.hosts.size());
  }
  const std::optional<Error> client_problem = inventory.tls ? client_certificate_problem(*inventory.tls) : std::nullopt;
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
    AgentEndpoint e{.host = h.name, .url = url, .ca_file = h.agent.ca_file};
    if (https && inventory.tls) {
      e.client_cert_file = inventory.tls->client_cert_file;
      e.client_key_file = inventory.tls->client_key_file;
      if (client_problem) e.broken = client_problem;
    }
    if (!h.agent.token_file.empty()) {
      if (auto token = read_token_file(h.agent.token_file, "token_file")) e.token = std::move(token->token);
      else e.broken = token.error();
    }
    // A CA file that cannot be read breaks its host with an error naming the field, not with
    // libcurl's "error setting certificate file" on every call.
    if (!e.broken && !e.ca_file.empty() && ::access(e.ca_file.c_str(), R_OK) != 0) {
      auto bad = fail_errno("CA file " + e.ca_file, errno);
      bad.error().field = "ca_file";
      e.broken = bad.error();
    }
    endpoints.push_back(std::move(e));
  }
  return std::make_unique<AgentPool>(std::move(endpoints), options);
}

}  // namespace mixnet::coord
