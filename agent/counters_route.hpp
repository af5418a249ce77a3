#pragma once
// GET /v1/counters (docs/agent-api.md, "Port counters"): every managed port's netdev and IB port
// counters, with the host's boot id, for the nightly health check's deltas.
#include <filesystem>
#include <string>
#include <vector>

#include "agent/agent_context.hpp"
#include "common/wire/counters_api.hpp"

namespace mixnet::http {
class Server;
}

namespace mixnet::agent {

struct CounterSources {
  std::filesystem::path sysfs_root = "/sys";
  std::filesystem::path boot_id_path = "/proc/sys/kernel/random/boot_id";
};

// The reply for these netdevs, in name order. Fails only when the boot id cannot be read (a
// reader could not tell a reboot from a reset); a netdev that vanished since it was listed has
// every counter absent, saying so.
Result<wire::CountersReply> collect_counters(std::vector<std::string> netdevs, const std::string& host_id,
                                             const CounterSources& sources = {});

void register_counters_route(http::Server& server, AgentContext& ctx);

}  // namespace mixnet::agent
