#pragma once
// The discovery loop the `cabling discover` command runs, against a SimulatedCabling instead of
// agents and a switch: stage 1 (one admin pattern and one power sweep per round), then stage 2
// (one circuit set and one round of "who did you hear" per round). NIC indices are the
// simulator's NIC numbers; the dead hosts' NICs are left out up front, as the driver does for
// agents that do not answer.
#include <vector>

#include "coordinator/cabling/input_sweep.hpp"
#include "coordinator/cabling/output_search.hpp"
#include "simulated_cabling.hpp"

namespace mixnet::coord::cabling::testing {

struct SimulatedDiscovery {
  std::vector<int> under_test;      // the NICs that got a code
  InputSweepResult inputs;          // stage 1, by simulator NIC number
  OutputSearchResult outputs;       // stage 2, by simulator NIC number
  int input_rounds = 0;
  int output_rounds = 0;
  int self_loops = 0;     // answers "heard itself"
  int pair_facts = 0;     // answers "heard another NIC under test" (chance pair links)
};

// Throws std::runtime_error when a stage reports an error (a test fails on it). With
// use_pair_facts false, an answer "heard another NIC" is passed on as "heard nothing" (still true
// of the NIC's own circuit), to measure what chance pair links buy.
SimulatedDiscovery run_simulated_discovery(SimulatedCabling& sim, double dark_threshold_dbm = -40.0,
                                           bool use_pair_facts = true);

}  // namespace mixnet::coord::cabling::testing
