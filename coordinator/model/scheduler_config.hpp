#pragma once
// The inventory's optional `scheduler:` section (docs/inventory.md, docs/health/slurm.md): which
// job scheduler the nightly health check tells about broken hosts, and which scheduler node each
// inventory host is. Without it the check only lists what it would drain.
#include <map>
#include <string>

#include "common/result.hpp"

namespace YAML {
class Node;
}

namespace mixnet::coord {

struct Inventory;
namespace yamlx {
struct Source;
}

struct SchedulerConfig {
  std::string kind = "slurm";                  // the one kind known today
  std::map<std::string, std::string> nodes;    // inventory host -> scheduler node ("h1" -> "gpu-a01")
  bool dry_run = false;                        // print the scontrol commands instead of running them
  std::string scontrol = "scontrol";           // the program (searched in PATH unless it has a '/')
  std::string slurm_conf;                      // SLURM_CONF for scontrol; empty: Slurm's default
  int timeout_s = 20;                          // per scontrol call
  int line = 0;

  // The host's node, or nullptr when the host is not mapped (it is then never drained or resumed).
  [[nodiscard]] const std::string* node_of(const std::string& host) const {
    const auto it = nodes.find(host);
    return it == nodes.end() ? nullptr : &it->second;
  }
};

// Reads `scheduler:` after the hosts (every mapped host must be one of them). Errors name
// FILE:LINE and the key path ("scheduler.nodes.h9: no host 'h9' in the inventory").
Result<SchedulerConfig> read_scheduler_config(const YAML::Node& node, const yamlx::Source& src, const Inventory& inv);

}  // namespace mixnet::coord
