#include "simulated_cabling.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace mixnet::coord::cabling::testing {

namespace {

// `count` distinct numbers from first .. first+range-1, in random order.
std::vector<int> sim_pick_distinct(std::mt19937_64& random, int first, int range, int count) {
  std::vector<int> all(static_cast<std::size_t>(range));
  std::iota(all.begin(), all.end(), first);
  std::shuffle(all.begin(), all.end(), random);
  all.resize(static_cast<std::size_t>(count));
  return all;
}

}  // namespace

SimulatedCabling::SimulatedCabling(const SimulatedCablingSpec& spec) : spec_(spec), random_(spec.seed) {
  if (spec.nics < 1 || spec.nics > spec.inputs || spec.nics > spec.outputs ||
      spec.dark + spec.dead + spec.deaf > spec.nics) {
    throw std::invalid_argument("SimulatedCablingSpec: need 1 <= nics <= inputs, outputs and dark + dead + deaf <= nics");
  }
  for (const int port : sim_pick_distinct(random_, 1, spec.inputs, spec.nics)) tx.push_back(std::to_string(port));
  for (const int port : sim_pick_distinct(random_, spec.inputs + 1, spec.outputs, spec.nics)) rx.push_back(std::to_string(port));
  // Distinct NICs for each fault, so every fault shows on its own.
  const std::vector<int> faulty = sim_pick_distinct(random_, 0, spec.nics, spec.dark + spec.dead + spec.deaf);
  for (int i = 0; i < static_cast<int>(faulty.size()); ++i) {
    const int nic = faulty[static_cast<std::size_t>(i)];
    if (i < spec.dark) {
      dark.insert(nic);
    } else if (i < spec.dark + spec.dead) {
      dead.insert(nic);
    } else {
      deaf.insert(nic);
    }
  }
  admin_up_.assign(static_cast<std::size_t>(spec.nics), 1);
}

SimulatedCabling::SimulatedCabling(const SimulatedCablingSpec& spec, std::vector<SwitchPort> tx_of_nic,
                                   std::vector<SwitchPort> rx_of_nic)
    : tx(std::move(tx_of_nic)), rx(std::move(rx_of_nic)), spec_(spec), random_(spec.seed) {
  if (tx.size() != static_cast<std::size_t>(spec.nics) || rx.size() != tx.size()) {
    throw std::invalid_argument("SimulatedCabling: one tx and one rx port per NIC");
  }
  spec_.dark = spec_.dead = spec_.deaf = 0;
  admin_up_.assign(static_cast<std::size_t>(spec.nics), 1);
}

std::vector<SwitchPort> SimulatedCabling::input_ports() const {
  std::vector<SwitchPort> ports;
  for (int p = 1; p <= spec_.inputs; ++p) ports.push_back(std::to_string(p));
  return ports;
}

std::vector<SwitchPort> SimulatedCabling::output_ports() const {
  std::vector<SwitchPort> ports;
  for (int p = spec_.inputs + 1; p <= spec_.inputs + spec_.outputs; ++p) ports.push_back(std::to_string(p));
  return ports;
}

std::vector<int> SimulatedCabling::answering_nics() const {
  std::vector<int> nics;
  for (int k = 0; k < spec_.nics; ++k) {
    if (!dead.contains(k)) nics.push_back(k);
  }
  return nics;
}

void SimulatedCabling::set_admin_up(int nic, bool up) {
  if (dead.contains(nic)) return;
  admin_up_.at(static_cast<std::size_t>(nic)) = up ? 1 : 0;
}

bool SimulatedCabling::transmits(int nic) const {
  if (dark.contains(nic)) return false;
  if (dead.contains(nic)) return true;
  return admin_up_[static_cast<std::size_t>(nic)] != 0;
}

double SimulatedCabling::reading(bool lit) {
  std::uniform_real_distribution<double> noise(-spec_.noise_db, spec_.noise_db);
  return (lit ? spec_.lit_dbm : spec_.dark_dbm) + noise(random_);
}

PowerSweep SimulatedCabling::sweep_inputs() {
  ++power_reads;
  std::map<SwitchPort, bool> lit;
  for (const auto& port : input_ports()) lit[port] = false;
  for (int k = 0; k < spec_.nics; ++k) {
    if (transmits(k)) lit[tx[static_cast<std::size_t>(k)]] = true;
  }
  PowerSweep sweep;
  for (const auto& [port, on] : lit) sweep[port] = reading(on);
  return sweep;
}

std::map<int, Heard> SimulatedCabling::loopback_round(const std::vector<Circuit>& circuits) {
  ++switch_operations;
  std::fill(admin_up_.begin(), admin_up_.end(), 1);
  std::map<SwitchPort, SwitchPort> output_of_input;
  for (const auto& c : circuits) output_of_input[c.input] = c.output;
  // Whose light leaves each output: the NIC transmitting into the input the circuit comes from.
  std::map<SwitchPort, int> talker_at_output;
  for (int k = 0; k < spec_.nics; ++k) {
    const auto it = output_of_input.find(tx[static_cast<std::size_t>(k)]);
    if (it != output_of_input.end() && transmits(k)) talker_at_output[it->second] = k;
  }
  auto light_reaches = [&](int from, int to) {
    const auto it = talker_at_output.find(rx[static_cast<std::size_t>(to)]);
    return it != talker_at_output.end() && it->second == from;
  };
  std::bernoulli_distribution lost(spec_.lost_answer_probability);
  std::map<int, Heard> heard;
  for (int a = 0; a < spec_.nics; ++a) {
    if (dead.contains(a)) continue;   // its agent never answers
    if (spec_.lost_answer_probability > 0.0 && lost(random_)) {
      ++lost_answers;
      continue;
    }
    Heard h = Heard::none();
    const auto it = talker_at_output.find(rx[static_cast<std::size_t>(a)]);
    if (it != talker_at_output.end()) {
      const int b = it->second;
      const bool trains = light_reaches(a, b) && !deaf.contains(a) && !deaf.contains(b);
      if (trains && !dead.contains(b)) h = Heard::of(b);
    }
    heard.emplace(a, h);
  }
  return heard;
}

}  // namespace mixnet::coord::cabling::testing
