// `mixnet-coord topology generate` end to end on the shipped 4-host inventory and demand
// examples: the files it writes read back as topology files, and bad input exits 2.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "coordinator/cli/commands.hpp"
#include "coordinator/model/topology.hpp"
#include "tests/coordinator/support/cli_scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord;
namespace fs = std::filesystem;

using mixnet::coord::testing::CliScratchDir;

TEST_CASE("topology generate writes files that read back, for every algorithm and demand form") {
  CliScratchDir d("mixnet-topogen-cli");
  const auto inventory = d.examples + "inventory.yaml";
  auto inv = read_inventory(inventory);
  REQUIRE(inv.has_value());
  for (const std::string algorithm : {"mixnet", "matching", "ring", "round-robin"}) {
    for (const std::string matrix : {"demand-4hosts.csv", "demand-4hosts.json", "demand-moe-experts.json"}) {
      INFO(algorithm << " " << matrix);
      const auto out = d.path(algorithm + "-" + matrix + ".yaml");
      REQUIRE(d.cli({"topology", "generate", "-i", inventory, "--algorithm", algorithm, "--matrix", d.examples + matrix, "-o", out}) == kExitPassed);
      auto back = read_topology_file(out, *inv);
      INFO((back ? std::string() : back.error().message));
      REQUIRE(back.has_value());
      REQUIRE(back->size() == (algorithm == "round-robin" ? 3U : 1U));
      CHECK(back->front().name == (algorithm == "round-robin" ? "round-robin-1" : algorithm));
      if (algorithm == "mixnet" || algorithm == "matching") CHECK(back->front().circuits.size() == 6);   // every port used
      CHECK(d.cli({"topology", "verify", "-i", inventory, out}) == kExitPassed);
    }
  }
  const auto named = d.path("named.yaml");
  REQUIRE(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "round-robin", "--name", "rr", "-o", named}) == kExitPassed);
  auto rounds = read_topology_file(named, *inv);
  REQUIRE(rounds.has_value());
  CHECK(rounds->back().name == "rr-3");
}

TEST_CASE("topology generate: bad input exits 2 and writes nothing") {
  CliScratchDir d("mixnet-topogen-cli");
  const auto inventory = d.examples + "inventory.yaml";
  const auto out = d.path("t.yaml");
  CHECK(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "mixnet", "-o", out}) == kExitBadInput);   // no --matrix
  CHECK(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "greedy", "-o", out}) == kExitBadInput);
  CHECK(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "ring", "--region", "nope", "-o", out}) == kExitBadInput);
  std::ofstream(d.path("bad.csv")) << ",h1,h9\nh1,0,1\nh9,1,0\n";
  CHECK(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "mixnet", "--matrix", d.path("bad.csv"), "-o", out}) == kExitBadInput);
  CHECK(d.cli({"topology", "generate", "-i", inventory, "--algorithm", "ring", "--line-rate-gbps", "0", "-o", out}) == kExitBadInput);
  CHECK_FALSE(fs::exists(out));
}
