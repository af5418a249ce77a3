// `mixnet-coord trace generate|show` and `topology generate --matrix TRACE --layer N` end to end
// on the shipped 4-host inventory: a generated trace reads back, each of its layers makes a
// topology, and bad input exits 2 and writes nothing.
#include <catch2/catch.hpp>

#include <filesystem>

#include "coordinator/cli/commands.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/topogen/moe_trace.hpp"
#include "tests/coordinator/support/cli_scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord;
namespace fs = std::filesystem;

using mixnet::coord::testing::CliScratchDir;

TEST_CASE("trace generate writes a trace that reads back with its knobs, and show and topology generate read it") {
  CliScratchDir d("mixnet-trace-cli");
  const auto trace = d.path("t.json");
  REQUIRE(d.cli({"trace", "generate", "--experts", "8", "--hosts", "h1,h2,h3,h4", "--placement", "round-robin", "--layers", "3", "--tokens",
                 "100", "--top-k", "2", "--skew", "1.5", "--locality", "0.5", "--hidden-size", "1024", "--dtype-bytes", "4", "--seed", "7",
                 "-o", trace}) == kExitPassed);
  auto back = topogen::read_moe_trace(trace);
  REQUIRE(back.has_value());
  CHECK(back->layers.size() == 3);
  CHECK(back->placement == std::vector<std::string>{"h1", "h2", "h3", "h4", "h1", "h2", "h3", "h4"});
  CHECK(back->bytes_per_token == 4096);
  topogen::MoeTraceKnobs knobs;
  knobs.experts = 8;
  knobs.placement = topogen::ExpertPlacement::round_robin;
  knobs.layers = 3;
  knobs.tokens_per_layer = 100;
  knobs.skew = 1.5;
  knobs.locality = 0.5;
  knobs.hidden_size = 1024;
  knobs.dtype_bytes = 4;
  knobs.seed = 7;
  auto same = topogen::generate_moe_trace(knobs);
  REQUIRE(same.has_value());
  CHECK(back->layers == same->layers);

  CHECK(d.cli({"trace", "show", trace}) == kExitPassed);
  CHECK(d.cli({"trace", "show", trace, "--layer", "2", "--top", "3"}) == kExitPassed);
  CHECK(d.cli({"trace", "show", trace, "--layer", "3"}) == kExitBadInput);

  const auto inventory = d.examples + "inventory.yaml";
  auto inv = read_inventory(inventory);
  REQUIRE(inv.has_value());
  const auto out = d.path("layer1.yaml");
  REQUIRE(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "mixnet", "--matrix", trace, "--layer", "1", "-o", out}) == kExitPassed);
  auto topo = read_topology_file(out, *inv);
  REQUIRE(topo.has_value());
  CHECK(topo->front().circuits.size() == 6);   // every port used
}

TEST_CASE("trace commands: bad input exits 2 and writes nothing") {
  CliScratchDir d("mixnet-trace-cli");
  const auto out = d.path("t.json");
  CHECK(d.cli({"trace", "generate", "--top-k", "0", "-o", out}) == kExitBadInput);
  CHECK(d.cli({"trace", "generate", "--hosts", "h1,h1", "-o", out}) == kExitBadInput);
  CHECK(d.cli({"trace", "generate", "--placement", "random", "-o", out}) == kExitBadInput);
  CHECK(d.cli({"trace", "generate", "--locality", "2", "-o", out}) == kExitBadInput);
  CHECK_FALSE(fs::exists(out));
  CHECK(d.cli({"trace", "show", d.examples + "demand-moe-experts.json"}) == kExitBadInput);   // one demand, not a trace
  const auto inventory = d.examples + "inventory.yaml";
  const auto topo = d.path("t.yaml");
  const auto example = d.examples + "moe-trace-4hosts.json";
  CHECK(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "mixnet", "--matrix", example, "-o", topo}) == kExitBadInput);   // no --layer
  CHECK(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "mixnet", "--matrix", example, "--layer", "99", "-o", topo}) == kExitBadInput);
  CHECK(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "ring", "--layer", "0", "-o", topo}) == kExitBadInput);   // no --matrix
  CHECK_FALSE(fs::exists(topo));
}
