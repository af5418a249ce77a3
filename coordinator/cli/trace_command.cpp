#include "coordinator/cli/trace_command.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "coordinator/cli/commands.hpp"
#include "coordinator/cli/command_exit.hpp"
#include "coordinator/topogen/quality.hpp"

namespace mixnet::coord {

namespace {

// One layer: its bytes, what leaves each host, the heaviest `top` host pairs.
std::string trace_layer_text(const topogen::DemandMatrix& d, std::size_t layer, std::size_t top) {
  std::string out = fmt::format("layer {}: {} in all, {} on the network, {} within hosts\n", layer,
                                topogen::quality_bytes_text(d.network_bytes() + d.intra_host_bytes), topogen::quality_bytes_text(d.network_bytes()),
                                topogen::quality_bytes_text(d.intra_host_bytes));
  std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < d.hosts.size(); ++i) {
    double leaving = 0;
    for (std::size_t j = 0; j < d.hosts.size(); ++j) {
      if (i == j) continue;
      leaving += d.bytes[i][j];
      if (d.bytes[i][j] > 0) pairs.emplace_back(d.bytes[i][j], i, j);
    }
    out += fmt::format("  leaving {:<10} {}\n", d.hosts[i], topogen::quality_bytes_text(leaving));
  }
  // Heaviest first; ties in host order, so the listing is stable.
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b) : std::tie(std::get<1>(a), std::get<2>(a)) < std::tie(std::get<1>(b), std::get<2>(b));
  });
  for (std::size_t p = 0; p < std::min(top, pairs.size()); ++p) {
    const auto& [bytes, i, j] = pairs[p];
    out += fmt::format("  top {:<2} {} -> {}: {}\n", p + 1, d.hosts[i], d.hosts[j], topogen::quality_bytes_text(bytes));
  }
  return out;
}

}  // namespace

TraceCommands add_trace_commands(CLI::App& app, TraceFlags& flags) {
  auto* trace = app.add_subcommand("trace", "MoE layer traffic traces (docs/topologies.md, \"MoE traces\")");
  trace->require_subcommand(1);
  TraceCommands cmds;
  cmds.generate = trace->add_subcommand("generate", "write a seeded synthetic MoE trace");
  auto& k = flags.knobs;
  auto* g = cmds.generate;
  g->add_option("--experts", k.experts, fmt::format("experts per layer (default {})", k.experts));
  g->add_option("--hosts", k.hosts, "the hosts the experts are placed on, comma-separated (default h1,h2,h3,h4)")->delimiter(',');
  g->add_option("--placement", flags.placement, "blocks (consecutive experts on one host; default) or round-robin")
      ->check(CLI::IsMember({"blocks", "round-robin"}));
  g->add_option("--layers", k.layers, fmt::format("MoE layers (default {})", k.layers));
  g->add_option("--tokens", k.tokens_per_layer, fmt::format("tokens in a layer's batch, spread over the experts' GPUs (default {})", k.tokens_per_layer));
  g->add_option("--top-k", k.top_k, fmt::format("experts each token is sent to (default {})", k.top_k));
  g->add_option("--skew", k.skew, fmt::format("Zipf exponent of expert popularity, 0 uniform (default {})", k.skew));
  g->add_option("--locality", k.locality, fmt::format("0..1: how much of a layer's popular experts the next layer keeps (default {})", k.locality));
  g->add_option("--hidden-size", k.hidden_size, fmt::format("the model's hidden size (default {})", k.hidden_size));
  g->add_option("--dtype-bytes", k.dtype_bytes, fmt::format("bytes per activation element: 2 bf16, 1 fp8, 4 fp32 (default {})", k.dtype_bytes));
  g->add_option("--seed", k.seed, fmt::format("the seed: the same knobs and seed give the same trace (default {})", k.seed));
  g->add_option("-o,--out", flags.out, "write the trace here (default: print it)");

  cmds.show = trace->add_subcommand("show", "print a trace's layers: bytes, bytes leaving each host, the heaviest pairs");
  cmds.show->add_option("file", flags.file, "the trace file")->required();
  cmds.show->add_option("--layer", flags.layer, "only this layer (0-based)");
  cmds.show->add_option("--top", flags.top, fmt::format("host pairs listed per layer (default {})", flags.top));
  return cmds;
}

int run_trace_generate(const TraceFlags& flags) {
  auto knobs = flags.knobs;
  knobs.placement = flags.placement == "round-robin" ? topogen::ExpertPlacement::round_robin : topogen::ExpertPlacement::blocks;
  auto trace = topogen::generate_moe_trace(knobs);
  if (!trace) return bad_input(trace.error());
  const std::string text = topogen::moe_trace_json(*trace);
  if (flags.out.empty()) {
    fmt::print("{}", text);
    return kExitPassed;
  }
  if (const int written = write_output_file(flags.out, text); written != kExitPassed) return written;
  fmt::print("wrote {}: {} layers of {} experts on {} hosts, {} bytes per token\n", flags.out, trace->layers.size(), trace->experts(),
             knobs.hosts.size(), trace->bytes_per_token);
  return kExitPassed;
}

int run_trace_show(const TraceFlags& flags) {
  auto trace = topogen::read_moe_trace(flags.file);
  if (!trace) return bad_input(trace.error());
  std::vector<std::size_t> layers;
  if (flags.layer) {
    layers.push_back(*flags.layer);
  } else {
    for (std::size_t l = 0; l < trace->layers.size(); ++l) layers.push_back(l);
  }
  std::string out = fmt::format("trace {}: {} layers, {} experts, {} bytes per token{}\n", flags.file, trace->layers.size(), trace->experts(),
                                trace->bytes_per_token, trace->description.empty() ? "" : "\n  " + trace->description);
  for (auto l : layers) {
    auto demand = topogen::trace_layer_demand(*trace, l, flags.file);
    if (!demand) return bad_input(demand.error());
    out += trace_layer_text(*demand, l, flags.top);
  }
  fmt::print("{}", out);
  return kExitPassed;
}

}  // namespace mixnet::coord
