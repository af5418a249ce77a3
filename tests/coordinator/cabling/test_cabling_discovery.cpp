// Both stages of cabling discovery against the simulated switch: hand-made cablings with known
// answers (1, 2 and 3 NICs), then many seeds and sizes where the discovered map must equal the
// hidden one port for port, dark and dead ports must be reported, and the round counts must stay
// within their bounds (stage 1: the fewest rounds R; stage 2: at most M, plus lost answers).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "simulated_discovery.hpp"

using namespace mixnet::coord::cabling;
using namespace mixnet::coord::cabling::testing;

namespace {

std::map<NicIndex, SwitchPort> hidden_map(const std::vector<SwitchPort>& ports, const std::set<int>& left_out) {
  std::map<NicIndex, SwitchPort> map;
  for (std::size_t k = 0; k < ports.size(); ++k) {
    if (!left_out.contains(static_cast<int>(k))) map.emplace(static_cast<NicIndex>(k), ports[k]);
  }
  return map;
}

std::set<int> joined(const std::set<int>& a, const std::set<int>& b) {
  std::set<int> both = a;
  both.insert(b.begin(), b.end());
  return both;
}

int fewest_rounds(int nics) {
  int rounds = 2;
  while ((1 << rounds) - 2 < nics) ++rounds;
  return rounds;
}

}  // namespace

TEST_CASE("cabling discovery: one NIC on a 1x1 switch", "[coord][cabling][discovery]") {
  SimulatedCabling sim({.seed = 1, .nics = 1, .inputs = 1, .outputs = 1}, {"1"}, {"2"});
  const auto run = run_simulated_discovery(sim);
  CHECK(run.input_rounds == 2);
  CHECK(run.inputs.found == std::map<NicIndex, SwitchPort>{{0, "1"}});
  CHECK(run.outputs.resolved == std::map<NicIndex, SwitchPort>{{0, "2"}});
  CHECK(run.output_rounds == 1);
}

TEST_CASE("cabling discovery: two NICs crossed over on a 2x2 switch", "[coord][cabling][discovery]") {
  SimulatedCabling sim({.seed = 1, .nics = 2, .inputs = 2, .outputs = 2}, {"2", "1"}, {"4", "3"});
  const auto run = run_simulated_discovery(sim);
  CHECK(run.inputs.found == std::map<NicIndex, SwitchPort>{{0, "2"}, {1, "1"}});
  CHECK(run.outputs.resolved == std::map<NicIndex, SwitchPort>{{0, "4"}, {1, "3"}});
  CHECK(run.output_rounds <= 2);
  CHECK(sim.power_reads == 2);
  CHECK(sim.switch_operations == run.output_rounds);
}

TEST_CASE("cabling discovery: three NICs on a 4x4 switch, one with a bad receiver", "[coord][cabling][discovery]") {
  SimulatedCabling sim({.seed = 1, .nics = 3, .inputs = 4, .outputs = 4}, {"3", "1", "4"}, {"8", "5", "6"});
  sim.deaf = {1};
  const auto run = run_simulated_discovery(sim);
  CHECK(run.input_rounds == 3);
  CHECK(run.inputs.found == std::map<NicIndex, SwitchPort>{{0, "3"}, {1, "1"}, {2, "4"}});
  CHECK(run.outputs.resolved == std::map<NicIndex, SwitchPort>{{0, "8"}, {2, "6"}});
  REQUIRE(run.outputs.unresolved.size() == 1);
  CHECK(run.outputs.unresolved[0].nic == 1);
  CHECK(run.outputs.unresolved[0].why == UnresolvedWhy::candidates_exhausted);
  CHECK(run.output_rounds <= 4);
}

TEST_CASE("cabling discovery: three NICs, one dark and one on a dead host", "[coord][cabling][discovery]") {
  SimulatedCabling sim({.seed = 1, .nics = 3, .inputs = 3, .outputs = 3}, {"2", "3", "1"}, {"6", "4", "5"});
  sim.dark = {0};
  sim.dead = {2};
  const auto run = run_simulated_discovery(sim);
  CHECK(run.under_test == std::vector<int>{0, 1});
  CHECK(run.inputs.found == std::map<NicIndex, SwitchPort>{{1, "3"}});
  CHECK(run.inputs.unlit == std::vector<NicIndex>{0});
  CHECK(run.inputs.always_lit == std::vector<SwitchPort>{"1"});   // the dead host's light
  CHECK(run.outputs.resolved == std::map<NicIndex, SwitchPort>{{1, "4"}});
}

TEST_CASE("cabling discovery: the discovered map equals the hidden one over many seeds and sizes",
          "[coord][cabling][discovery][property]") {
  struct Size {
    int nics, inputs, outputs;
  };
  const std::vector<Size> sizes = {{1, 1, 1},   {2, 2, 2},   {3, 5, 4},   {5, 8, 8},    {8, 8, 8},
                                   {16, 48, 48}, {30, 40, 48}, {20, 48, 32}, {47, 48, 48}, {48, 48, 48}};
  for (const auto& size : sizes) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      CAPTURE(size.nics, size.inputs, size.outputs, seed);
      SimulatedCabling sim({.seed = seed, .nics = size.nics, .inputs = size.inputs, .outputs = size.outputs});
      const auto run = run_simulated_discovery(sim);
      CHECK(run.input_rounds == fewest_rounds(size.nics));
      CHECK(sim.power_reads == run.input_rounds);
      CHECK(run.inputs.found == hidden_map(sim.tx, {}));
      CHECK(run.inputs.unlit.empty());
      CHECK(run.inputs.always_lit.empty());
      CHECK(run.inputs.unexplained.empty());
      CHECK(run.outputs.resolved == hidden_map(sim.rx, {}));
      CHECK(run.outputs.unresolved.empty());
      CHECK(run.output_rounds <= size.outputs);
      CHECK(sim.switch_operations == run.output_rounds);
    }
  }
}

TEST_CASE("cabling discovery: dark, dead and deaf NICs are reported, everything else found",
          "[coord][cabling][discovery][property]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    for (const int nics : {12, 40, 48}) {
      CAPTURE(seed, nics);
      SimulatedCabling sim({.seed = seed, .nics = nics, .inputs = 48, .outputs = 48, .dark = 2, .dead = 2, .deaf = 3});
      const auto run = run_simulated_discovery(sim);
      CHECK(run.input_rounds == fewest_rounds(nics - 2));
      CHECK(run.inputs.found == hidden_map(sim.tx, joined(sim.dark, sim.dead)));
      CHECK(run.inputs.unlit == std::vector<NicIndex>(sim.dark.begin(), sim.dark.end()));
      std::vector<SwitchPort> dead_inputs;
      for (const int d : sim.dead) dead_inputs.push_back(sim.tx[static_cast<std::size_t>(d)]);
      std::sort(dead_inputs.begin(), dead_inputs.end());
      CHECK(run.inputs.always_lit == dead_inputs);
      CHECK(run.inputs.unexplained.empty());
      CHECK(run.inputs.ambiguous.empty());

      CHECK(run.outputs.resolved == hidden_map(sim.rx, joined(joined(sim.dark, sim.dead), sim.deaf)));
      std::set<int> exhausted;
      for (const auto& u : run.outputs.unresolved) {
        CHECK(u.why == UnresolvedWhy::candidates_exhausted);
        exhausted.insert(u.nic);
      }
      CHECK(exhausted == sim.deaf);
      CHECK(run.output_rounds <= 48);   // a deaf NIC tests every candidate: still within M
    }
  }
}

TEST_CASE("cabling discovery: noisy readings close to the threshold still decode", "[coord][cabling][discovery][property]") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    CAPTURE(seed);
    // Lit reads -39.9 .. -38.9 dBm and dark -41.1 .. -40.1 dBm around a -40 dBm threshold.
    SimulatedCabling sim({.seed = seed, .nics = 40, .inputs = 48, .outputs = 48, .lit_dbm = -39.4, .dark_dbm = -40.6,
                          .noise_db = 0.5});
    const auto run = run_simulated_discovery(sim, -40.0);
    CHECK(run.inputs.found == hidden_map(sim.tx, {}));
    CHECK(run.inputs.unexplained.empty());
    CHECK(run.outputs.resolved == hidden_map(sim.rx, {}));
  }
}

TEST_CASE("cabling discovery: lost answers are retried, and what is found is right", "[coord][cabling][discovery][property]") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    CAPTURE(seed);
    SimulatedCabling sim({.seed = seed, .nics = 48, .inputs = 48, .outputs = 48, .lost_answer_probability = 0.05});
    const auto run = run_simulated_discovery(sim);
    const auto hidden = hidden_map(sim.rx, {});
    for (const auto& [nic, output] : run.outputs.resolved) CHECK(hidden.at(nic) == output);
    for (const auto& u : run.outputs.unresolved) CHECK(u.why == UnresolvedWhy::agent_silent);
    CHECK(run.outputs.resolved.size() + run.outputs.unresolved.size() == 48);
    CHECK(run.output_rounds <= 48 + sim.lost_answers);
  }
}
