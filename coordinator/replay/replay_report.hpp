#pragma once
// measure.replay's reports (docs/topologies.md, "Replaying MoE traffic", "Reports"): pure functions
// of a ReplayResult. The CSV is one table (a row per mode x layer), the JSON the step's data, the
// text a short summary for the step message and the CLI, the HTML a self-contained page with SVG
// figures (no script, no external asset). Totals and speedups come from replay_types.hpp
// (mode_totals, speedup_over), so every report shows the same figures.
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/replay/replay_types.hpp"

namespace mixnet::coord::replay {

// Header mode,layer,topology,network_bytes,circuit_bytes,eps_bytes,circuits,changes,reconfig_s,
// completion_s,total_s,estimate_s,flows,failed_flows,ok,message; a row per LayerOutcome in the
// result's order; fields quoted as RFC 4180. No totals row: totals are in the JSON and the summary.
[[nodiscard]] std::string replay_csv(const ReplayResult& result);

// {"setup": {...}, "layers": [...], "totals": [{mode, layers, failed_layers, completion_s,
// reconfig_s, total_s}], "speedup_over_static": x|null, "speedup_over_electrical": x|null}. A
// speedup is null when its mode or the reconfigured mode did not run (or took no time).
[[nodiscard]] nlohmann::json replay_json(const ReplayResult& result);
// One layer as in replay_json's `layers` (also each layer item's data): mode, layer, topology,
// network/circuit/eps bytes, circuits, changes, reconfig_s, completion_s, total_s, estimate_s,
// flows, failed_flows, ok, message.
[[nodiscard]] nlohmann::json layer_outcome_json(const LayerOutcome& layer);

// A few aligned lines: a row per mode, the speedups, the scale sentence with the line rate.
[[nodiscard]] std::string replay_summary_text(const ReplayResult& result);

// Why the demand was scaled, in words, for every report: "the trace's bytes were multiplied by
// 2.5 " + the setup's scale_reason ("so its heaviest layer ... and the links, not the hosts'
// CPUs, are the bottleneck", or "as the playbook asked (scale)").
[[nodiscard]] std::string replay_scale_sentence(const ReplaySetup& setup);

// The page: the setup, the scale sentence, totals and speedups, a table per layer, and three
// figures (time per layer and mode, cumulative time, planned bytes on circuits vs electrical).
[[nodiscard]] std::string replay_html(const ReplayResult& result);

// replay.csv, replay.json and replay.html in `run_dir` (created when missing), each written whole
// or not at all. Errors: Errc::io naming the file and the system call.
Result<void> write_replay_reports(const ReplayResult& result, const std::string& run_dir);

}  // namespace mixnet::coord::replay
