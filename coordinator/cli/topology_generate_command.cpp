#include "coordinator/cli/topology_generate_command.hpp"

#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "coordinator/cli/commands.hpp"
#include "coordinator/cli/command_exit.hpp"
#include "coordinator/topogen/generators.hpp"
#include "coordinator/topogen/moe_trace.hpp"
#include "coordinator/topogen/quality.hpp"
#include "coordinator/topogen/topology_text.hpp"

namespace mixnet::coord {

namespace {

Result<std::vector<Topology>> run_generator(const TopologyGenerateFlags& flags, const std::string& name,
                                            const std::optional<topogen::DemandMatrix>& demand, const Inventory& inventory) {
  auto one = [](Result<Topology> t) -> Result<std::vector<Topology>> {
    if (!t) return std::unexpected(t.error());
    return std::vector<Topology>{std::move(*t)};
  };
  if (flags.algorithm == "mixnet") return one(topogen::generate_mixnet(name, *demand, inventory, flags.region));
  if (flags.algorithm == "matching") return one(topogen::generate_matching(name, *demand, inventory, flags.region));
  if (flags.algorithm == "ring") return one(topogen::generate_ring(name, inventory, flags.region));
  return topogen::generate_round_robin(name, inventory, flags.region);
}

// --matrix: a demand file, or with --layer one layer of a MoE trace.
Result<topogen::DemandMatrix> read_generate_demand(const TopologyGenerateFlags& flags) {
  if (!flags.layer) return topogen::read_demand_file(flags.matrix);
  auto trace = topogen::read_moe_trace(flags.matrix);
  if (!trace) return std::unexpected(trace.error());
  return topogen::trace_layer_demand(*trace, *flags.layer, flags.matrix);
}

}  // namespace

CLI::App* add_topology_generate(CLI::App& topology, TopologyGenerateFlags& flags) {
  auto* cmd = topology.add_subcommand("generate",
                                      "write a topology file computed from the cabling (and a demand matrix), and print its quality figures");
  cmd->add_option("-i,--inventory", flags.inventory, "the inventory file (docs/inventory.md)")->required();
  cmd->add_option("--algorithm", flags.algorithm, "mixnet (MixNet's greedy), ring, matching, round-robin")
      ->required()
      ->check(CLI::IsMember({"mixnet", "ring", "matching", "round-robin"}));
  cmd->add_option("--matrix", flags.matrix,
                  "the demand: a host x host CSV, or JSON (host x host bytes, or expert tokens with a placement); "
                  "required by mixnet and matching (docs/topologies.md)");
  cmd->add_option("--layer", flags.layer, "--matrix is a MoE trace (docs/topologies.md, \"MoE traces\"): this layer of it (0-based)");
  cmd->add_option("--region", flags.region, "only this reconfiguration region's switches' ports");
  cmd->add_option("--name", flags.name, "the topology's name (default: the algorithm's; round-robin: NAME-1, NAME-2, ..)");
  cmd->add_option("--line-rate-gbps", flags.line_rate_gbps,
                  fmt::format("every port's line rate for the completion estimate (default: the ports' expect.speed_mbps, else {} Gb/s)",
                              topogen::kDefaultLineRateGbps))
      ->check(CLI::Range(0.001, 1e6));
  cmd->add_option("-o,--out", flags.out, "write the topology file here (default: print it)");
  return cmd;
}

int run_topology_generate(const TopologyGenerateFlags& flags) {
  const bool needs_demand = flags.algorithm == "mixnet" || flags.algorithm == "matching";
  if (flags.layer && flags.matrix.empty()) {
    return bad_input(Error{Errc::invalid_argument, "topology generate: --layer picks a layer of a MoE trace given with --matrix FILE", "layer"});
  }
  if (needs_demand && flags.matrix.empty()) {
    return bad_input(Error{Errc::invalid_argument, fmt::format("topology generate: --algorithm {} needs --matrix FILE", flags.algorithm), "matrix"});
  }
  auto inventory = read_inventory(flags.inventory);
  if (!inventory) return bad_input(inventory.error());
  std::optional<topogen::DemandMatrix> demand;
  if (!flags.matrix.empty()) {
    auto read = read_generate_demand(flags);
    if (!read) return bad_input(read.error());
    if (auto known = topogen::check_demand_hosts(*read, *inventory); !known) return bad_input(known.error());
    demand = std::move(*read);
  }
  const std::string name = flags.name.empty() ? flags.algorithm : flags.name;
  auto topologies = run_generator(flags, name, demand, *inventory);
  if (!topologies) return bad_input(topologies.error());
  // What is written must read back: resolve each one as `topology verify` would.
  for (auto t : *topologies) {
    if (auto ok = resolve_topology(t, *inventory); !ok) return bad_input(ok.error().context("generated topology does not resolve"));
  }

  const double rate = flags.line_rate_gbps > 0 ? flags.line_rate_gbps : topogen::default_line_rate_gbps(*inventory);
  std::string figures;
  for (const auto& t : *topologies) {
    figures += fmt::format("topology {}: {} circuit{}\n", t.name, t.circuits.size(), t.circuits.size() == 1 ? "" : "s");
    if (demand) figures += topogen::format_quality(topogen::evaluate_quality(t, *demand, *inventory, rate));
  }
  const std::string comment = fmt::format("generated by mixnet-coord topology generate --algorithm {}{}{}\n{}", flags.algorithm,
                                          flags.matrix.empty() ? "" : " --matrix " + flags.matrix + (flags.layer ? fmt::format(" --layer {}", *flags.layer) : ""),
                                          flags.region.empty() ? "" : " --region " + flags.region, figures);
  const std::string text = topogen::topology_file_text(*topologies, comment);
  if (flags.out.empty()) {
    fmt::print("{}", text);
    fmt::print(stderr, "{}", figures);
    return kExitPassed;
  }
  if (const int written = write_output_file(flags.out, text); written != kExitPassed) return written;
  fmt::print("wrote {}\n{}", flags.out, figures);
  return kExitPassed;
}

}  // namespace mixnet::coord
