#pragma once
// measure.replay's arguments (docs/topologies.md, "Replaying MoE traffic"), checked at the edge:
// every error names its key.
//   trace: FILE              required: a MoE trace (topogen/moe_trace.hpp), relative to the
//                            working folder ("{{ playbook_dir }}/..." for one beside the playbook)
//   layers: N                replay the first N layers (default, or 0: every layer)
//   modes: [..]              reconfigured, static, electrical (default all three, in that order)
//   line_rate_gbps: X        every data port's rate (default, or 0: the inventory's expect.speed_mbps)
//   layer_seconds: S         scale the trace so its heaviest layer takes S on the electrical
//                            switch alone at the line rate (default 0.5), or instead
//   scale: F                 multiply every byte by F
//   deadline: S              per layer: every circuit verified by then (default 30)
//   layer_timeout: S         per layer: every byte delivered by then (default 120)
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/replay/replay_types.hpp"

namespace mixnet::coord {

struct ReplayArgs {
  std::string trace;
  std::optional<std::size_t> layers;
  std::vector<replay::ReplayMode> modes{replay::ReplayMode::reconfigured, replay::ReplayMode::fixed, replay::ReplayMode::electrical};
  std::optional<double> line_rate_gbps;
  double layer_seconds = 0.5;
  std::optional<double> scale;
  double deadline_s = 30;
  double layer_timeout_s = 120;
};

// `resolved`: templates are resolved (run time); at load time a templated key is only skipped.
Result<ReplayArgs> parse_replay_args(const nlohmann::json& args, bool resolved);

}  // namespace mixnet::coord
