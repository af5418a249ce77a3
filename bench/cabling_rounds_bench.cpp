// Cabling discovery's round counts (docs/cabling.md, "Method") against the simulated switch of
// tests/coordinator/cabling, over many seeds: the stage-1 rounds (one power sweep each), the
// stage-2 rounds (one switch operation each: the round's circuits), the facts the rounds gave
// (self-loops, chance pair links), the stage-2 rounds when pair links are not used (what they
// buy), and the time a real testbed would spend, from assumed per-round costs. Two layouts: K NICs
// on a full KxK switch, and K NICs on a 2Kx2K switch with one NIC whose receiver is bad (the
// expensive case: unused outputs are never learnt for anyone, so that NIC is looped back to
// nearly all of them). Prints figures; asserts nothing (the tests assert the bounds).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "simulated_discovery.hpp"

using namespace mixnet::coord::cabling;
using namespace mixnet::coord::cabling::testing;

namespace {

// Assumed costs of one round on hardware (REFERENCE: a Polatis switches in 10-25 ms; commodity
// 100G optics train in about 5.7 s). Stage 1's settle time (admin change, laser off or on, the
// switch's power monitor updating) is an assumption; measure it on the testbed.
constexpr double kSwitchingS = 0.025;
constexpr double kLinkTrainingS = 5.7;
constexpr double kSweepSettleS = 1.0;

double median_of_ints(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

SimulatedDiscovery checked_run(const SimulatedCablingSpec& spec, bool use_pair_facts, int* switch_ops, int* power_reads) {
  SimulatedCabling sim(spec);
  const auto run = run_simulated_discovery(sim, -40.0, use_pair_facts);
  if (run.outputs.resolved.size() != static_cast<std::size_t>(spec.nics - spec.deaf) ||
      run.inputs.found.size() != static_cast<std::size_t>(spec.nics)) {
    std::fprintf(stderr, "K=%d seed %llu: the discovery did not find every healthy NIC\n", spec.nics,
                 static_cast<unsigned long long>(spec.seed));
    std::exit(1);
  }
  if (switch_ops != nullptr) *switch_ops = std::max(*switch_ops, sim.switch_operations);
  if (power_reads != nullptr) *power_reads = std::max(*power_reads, sim.power_reads);
  return run;
}

void table(int seeds, int size_factor, int deaf) {
  std::printf("== K NICs on a %sKx%sK switch, %s\n", size_factor == 1 ? "" : "2", size_factor == 1 ? "" : "2",
              deaf == 0 ? "every NIC healthy" : "one NIC with a bad receiver");
  std::printf("%5s %9s %6s %10s %10s %7s %9s %9s %9s %14s %8s %10s\n", "K", "switch", "stage1", "stage2_med", "stage2_max",
              "sw_ops", "pwr_reads", "loops/run", "pairs/run", "s2_med_nopair", "cpu_ms", "est_time_s");
  for (const int k : {8, 24, 48, 96, 192}) {
    const int ports = k * size_factor;
    std::vector<int> stage1, stage2, stage2_without_pairs, loops, pairs;
    std::vector<double> cpu_ms;
    int switch_ops = 0, power_reads = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
      const SimulatedCablingSpec spec{.seed = static_cast<std::uint64_t>(seed), .nics = k, .inputs = ports, .outputs = ports, .deaf = deaf};
      const auto t0 = std::chrono::steady_clock::now();
      const auto run = checked_run(spec, true, &switch_ops, &power_reads);
      const auto t1 = std::chrono::steady_clock::now();
      stage1.push_back(run.input_rounds);
      stage2.push_back(run.output_rounds);
      loops.push_back(run.self_loops);
      pairs.push_back(run.pair_facts);
      cpu_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      stage2_without_pairs.push_back(checked_run(spec, false, nullptr, nullptr).output_rounds);
    }
    std::sort(cpu_ms.begin(), cpu_ms.end());
    const double s2 = median_of_ints(stage2);
    const double est = stage1.front() * kSweepSettleS + s2 * (kSwitchingS + kLinkTrainingS);
    const std::string size = std::to_string(ports) + "x" + std::to_string(ports);
    std::printf("%5d %9s %6d %10.1f %10d %7d %9d %9.1f %9.1f %14.1f %8.2f %10.0f\n", k, size.c_str(), stage1.front(), s2,
                *std::max_element(stage2.begin(), stage2.end()), switch_ops, power_reads, median_of_ints(loops),
                median_of_ints(pairs), median_of_ints(stage2_without_pairs), cpu_ms[cpu_ms.size() / 2], est);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 20;
  if (seeds < 1 || seeds > 1000) {
    std::fprintf(stderr, "usage: cabling_rounds_bench [SEEDS 1..1000]\n");
    return 2;
  }
  std::printf("cabling discovery rounds, %d seeds per row\n\n", seeds);
  table(seeds, 1, 0);
  table(seeds, 2, 1);
  std::printf(
      "stage1: power-sweep rounds (one sweep each); stage2: loopback rounds (median, max over seeds);\n"
      "sw_ops: switch operations, one circuit change per stage-2 round (max); pwr_reads: power sweeps (max);\n"
      "loops/pairs: facts from self-loops and from chance pair links per run (median; a pair link gives 2);\n"
      "s2_med_nopair: stage-2 rounds (median) when pair-link answers are taken as 'heard nothing';\n"
      "cpu_ms: the discovery logic and the simulator together, median per run;\n"
      "est_time_s = stage1 x %.1f s (admin change + settle + sweep, assumed) + stage2_med x (%.3f s switching + %.1f s link training)\n",
      kSweepSettleS, kSwitchingS, kLinkTrainingS);
  return 0;
}
