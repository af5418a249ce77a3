#pragma once
// A switch and its NICs as cabling discovery sees them, for the unit tests and the bench: a seeded
// random cabling (K NICs, an NxM Polatis-numbered switch: inputs "1".."N", outputs "N+1".."N+M",
// each NIC's TX fibre on its own input and its RX fibre on its own output) that answers power
// sweeps and loopback rounds exactly as the physics of docs/cabling.md says:
//   - an input reads light when the NIC whose TX lands there transmits: admin up and not dark;
//     a dead host's NIC (its agent cannot turn it off) always transmits, a dark one never does;
//   - a NIC hears a neighbour b when b's light reaches its receiver (the circuit from in(b) ends at
//     its output) and its own light reaches b's receiver (training needs light both ways), both
//     receivers work and both transmit; a self-loop is the case b = itself. A dead host's agent
//     never answers.
// The hidden map is public: a test compares with it, the discovery code never sees it.
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "coordinator/cabling/input_sweep.hpp"
#include "coordinator/cabling/output_search.hpp"

namespace mixnet::coord::cabling::testing {

struct SimulatedCablingSpec {
  std::uint64_t seed = 1;
  int nics = 8;       // K
  int inputs = 8;     // N >= K
  int outputs = 8;    // M >= K
  int dark = 0;       // NICs whose transmitter emits nothing
  int dead = 0;       // NICs on hosts whose agent is dead: always lit, never answer
  int deaf = 0;       // NICs whose receiver never trains (bad receiver or RX fibre)
  double lost_answer_probability = 0.0;   // an agent's answer to a round lost on the way
  double lit_dbm = -3.0;
  double dark_dbm = -60.0;
  double noise_db = 0.5;   // each reading off by up to this much either way
};

class SimulatedCabling {
 public:
  // A random cabling drawn from spec.seed.
  explicit SimulatedCabling(const SimulatedCablingSpec& spec);
  // A cabling given port by port (hand-made cases); spec's nics/inputs/outputs must fit it, its
  // dark/dead/deaf counts are ignored (set the sets below).
  SimulatedCabling(const SimulatedCablingSpec& spec, std::vector<SwitchPort> tx_of_nic, std::vector<SwitchPort> rx_of_nic);

  // The hidden cabling, by the simulator's NIC number 0 .. K-1.
  std::vector<SwitchPort> tx;   // the input each NIC's transmitter feeds
  std::vector<SwitchPort> rx;   // the output that feeds each NIC's receiver
  std::set<int> dark, dead, deaf;

  [[nodiscard]] std::vector<SwitchPort> input_ports() const;
  [[nodiscard]] std::vector<SwitchPort> output_ports() const;
  // The NICs a driver would test: every one whose agent answers (all but the dead).
  [[nodiscard]] std::vector<int> answering_nics() const;

  // Stage 1: a NIC's admin state (a dead host's is not changed: its agent does not answer).
  void set_admin_up(int nic, bool up);
  // One sweep of every input's power.
  [[nodiscard]] PowerSweep sweep_inputs();

  // Stage 2: the switch holds exactly these circuits (input -> output); every NIC is admin up.
  // What each answering NIC's agent reports, by simulator NIC number (a lost answer is absent).
  [[nodiscard]] std::map<int, Heard> loopback_round(const std::vector<Circuit>& circuits);

  int switch_operations = 0;   // loopback rounds set (one circuit change each)
  int power_reads = 0;         // power sweeps read
  int lost_answers = 0;        // answers dropped (lost_answer_probability)

 private:
  [[nodiscard]] bool transmits(int nic) const;
  [[nodiscard]] double reading(bool lit);

  SimulatedCablingSpec spec_;
  std::mt19937_64 random_;
  std::vector<char> admin_up_;
};

}  // namespace mixnet::coord::cabling::testing
