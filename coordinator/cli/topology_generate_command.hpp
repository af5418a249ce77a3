#pragma once
// `mixnet-coord topology generate -i INVENTORY --algorithm mixnet|ring|matching|round-robin
// [--matrix FILE [--layer N]] [--region R] [--name NAME] [--line-rate-gbps G] [-o FILE]` (docs/topologies.md):
// writes a topology file computed from the inventory's cabling (and the demand, for mixnet and
// matching) and prints, given a demand, each topology's quality figures, so that topologies can
// be compared before any switch is touched. Exit codes: 0 written, 1 the file could not be
// written, 2 bad input.
#include <cstddef>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace mixnet::coord {

struct TopologyGenerateFlags {
  std::string inventory;
  std::string algorithm;
  std::string matrix;
  std::optional<std::size_t> layer;   // --matrix is a MoE trace: this layer of it
  std::string region;
  std::string name;
  std::string out;
  double line_rate_gbps = 0;   // 0: default_line_rate_gbps(inventory)
};

// Adds `generate` to the `topology` subcommand and returns it.
CLI::App* add_topology_generate(CLI::App& topology, TopologyGenerateFlags& flags);

int run_topology_generate(const TopologyGenerateFlags& flags);

}  // namespace mixnet::coord
