#include "simulated_discovery.hpp"

#include <stdexcept>

namespace mixnet::coord::cabling::testing {

SimulatedDiscovery run_simulated_discovery(SimulatedCabling& sim, double dark_threshold_dbm, bool use_pair_facts) {
  SimulatedDiscovery run;
  run.under_test = sim.answering_nics();
  auto plan = plan_input_sweep(static_cast<int>(run.under_test.size()));
  if (!plan) throw std::runtime_error(plan.error().describe());
  auto sim_nic = [&](NicIndex planned) { return run.under_test.at(static_cast<std::size_t>(planned)); };

  std::vector<PowerSweep> sweeps;
  for (int r = 0; r < plan->rounds; ++r) {
    for (std::size_t j = 0; j < run.under_test.size(); ++j) {
      sim.set_admin_up(run.under_test[j], plan->transmits(static_cast<NicIndex>(j), r));
    }
    sweeps.push_back(sim.sweep_inputs());
  }
  run.input_rounds = plan->rounds;
  auto decoded = decode_input_sweep(*plan, sweeps, dark_threshold_dbm);
  if (!decoded) throw std::runtime_error(decoded.error().describe());
  run.inputs = *decoded;
  run.inputs.found.clear();
  for (const auto& [planned, input] : decoded->found) run.inputs.found.emplace(sim_nic(planned), input);
  for (auto& nic : run.inputs.unlit) nic = sim_nic(nic);
  for (auto& a : run.inputs.ambiguous) a.nic = sim_nic(a.nic);

  auto search = OutputSearch::create(run.inputs.found, sim.output_ports());
  if (!search) throw std::runtime_error(search.error().describe());
  // Far more rounds than the search can need (it ends within M plus the lost answers).
  const int round_limit = 4 * static_cast<int>(sim.output_ports().size()) + 8;
  while (!search->done()) {
    auto round = search->next_round();
    if (!round) throw std::runtime_error(round.error().describe());
    if (round->circuits.empty() || round->number > round_limit) throw std::runtime_error("output search does not end");
    std::map<NicIndex, Heard> heard;
    for (const auto& [nic, h] : sim.loopback_round(round->circuits)) {
      if (!run.inputs.found.contains(nic)) continue;
      const bool pair = h.kind == Heard::Kind::nic && h.nic != nic;
      if (h.kind == Heard::Kind::nic) ++(pair ? run.pair_facts : run.self_loops);
      heard.emplace(nic, pair && !use_pair_facts ? Heard::none() : h);
    }
    if (auto ok = search->observe(*round, heard); !ok) throw std::runtime_error(ok.error().describe());
  }
  run.outputs = search->result();
  run.output_rounds = search->rounds();
  return run;
}

}  // namespace mixnet::coord::cabling::testing
