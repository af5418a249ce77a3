#include "coordinator/model/scheduler_config.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

#include "coordinator/model/inventory.hpp"
#include "coordinator/model/yaml_util.hpp"

namespace mixnet::coord {

namespace {

using yamlx::error_at;
using yamlx::join;

// One node per name, never a hostlist expression ("n[1-4]") that scontrol would expand to many.
bool valid_node_name(std::string_view name) {
  return !name.empty() && name.size() <= 63 && std::ranges::all_of(name, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
  });
}

}  // namespace

Result<SchedulerConfig> read_scheduler_config(const YAML::Node& node, const yamlx::Source& src, const Inventory& inv) {
  const std::string path = "scheduler";
  if (auto ok = yamlx::expect_map(node, src, path); !ok) return std::unexpected(ok.error());
  if (auto ok = yamlx::only_keys(node, src, path, {"kind", "nodes", "dry_run", "scontrol", "slurm_conf", "timeout_s"}); !ok)
    return std::unexpected(ok.error());
  SchedulerConfig config;
  config.line = yamlx::line_of(node);
  if (!node["kind"]) return error_at(src, node, join(path, "kind"), "required: slurm");
  auto kind = yamlx::string(node["kind"], src, join(path, "kind"));
  if (!kind) return std::unexpected(kind.error());
  if (*kind != "slurm") return error_at(src, node["kind"], join(path, "kind"), fmt::format("'{}' is not a scheduler kind (slurm)", *kind));
  config.kind = *kind;

  if (!node["nodes"]) return error_at(src, node, join(path, "nodes"), "required: a map of inventory host to Slurm node name");
  const auto nodes = node["nodes"];
  const auto nodes_path = join(path, "nodes");
  if (auto ok = yamlx::expect_map(nodes, src, nodes_path); !ok) return std::unexpected(ok.error());
  std::map<std::string, std::string> host_of_node;
  for (const auto& entry : nodes) {
    auto host = yamlx::string(entry.first, src, nodes_path);
    if (!host) return std::unexpected(host.error());
    const auto entry_path = join(nodes_path, *host);
    if (inv.find_host(*host) == nullptr) return error_at(src, entry.first, entry_path, fmt::format("no host '{}' in the inventory", *host));
    auto name = yamlx::string(entry.second, src, entry_path);
    if (!name) return std::unexpected(name.error());
    if (!valid_node_name(*name))
      return error_at(src, entry.second, entry_path, fmt::format("'{}' is not one Slurm node name ([A-Za-z0-9_.-], 1..63; no hostlists)", *name));
    if (const auto [it, inserted] = host_of_node.try_emplace(*name, *host); !inserted)
      return error_at(src, entry.second, entry_path, fmt::format("node '{}' is already the node of host {}", *name, it->second));
    config.nodes[*host] = *name;
  }
  if (node["dry_run"]) {
    auto dry = yamlx::boolean(node["dry_run"], src, join(path, "dry_run"));
    if (!dry) return std::unexpected(dry.error());
    config.dry_run = *dry;
  }
  if (node["scontrol"]) {
    auto program = yamlx::string(node["scontrol"], src, join(path, "scontrol"));
    if (!program) return std::unexpected(program.error());
    config.scontrol = *program;
  }
  if (node["slurm_conf"]) {
    auto conf = yamlx::string(node["slurm_conf"], src, join(path, "slurm_conf"));
    if (!conf) return std::unexpected(conf.error());
    config.slurm_conf = *conf;
  }
  if (node["timeout_s"]) {
    auto timeout = yamlx::integer(node["timeout_s"], src, join(path, "timeout_s"));
    if (!timeout) return std::unexpected(timeout.error());
    if (*timeout < 1 || *timeout > 600) return error_at(src, node["timeout_s"], join(path, "timeout_s"), fmt::format("{} is outside 1..600", *timeout));
    config.timeout_s = static_cast<int>(*timeout);
  }
  return config;
}

}  // namespace mixnet::coord
