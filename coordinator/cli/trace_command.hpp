#pragma once
// `mixnet-coord trace generate [knobs] -o FILE` writes a seeded synthetic MoE trace;
// `mixnet-coord trace show FILE [--layer N] [--top N]` reads a trace (generated or real) and
// prints, per layer, the bytes in all, the bytes leaving each host and the heaviest host pairs
// (docs/topologies.md, "MoE traces"). Exit codes: 0 done, 1 the file could not be written,
// 2 bad input.
#include <cstddef>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "coordinator/topogen/moe_trace.hpp"

namespace mixnet::coord {

struct TraceFlags {
  topogen::MoeTraceKnobs knobs;
  std::string placement = "blocks";
  std::string out;
  std::string file;        // show
  std::optional<std::size_t> layer;
  std::size_t top = 5;
};

struct TraceCommands {
  CLI::App* generate = nullptr;
  CLI::App* show = nullptr;
};

// Adds `trace` with `generate` and `show` to the app.
TraceCommands add_trace_commands(CLI::App& app, TraceFlags& flags);

int run_trace_generate(const TraceFlags& flags);
int run_trace_show(const TraceFlags& flags);

}  // namespace mixnet::coord
