#include "coordinator/cabling/input_sweep.hpp"

#include <cmath>
#include <fmt/format.h>

namespace mixnet::coord::cabling {

namespace {

constexpr int kMaxSweepNics = 1 << 20;   // far beyond any switch; keeps codes in 32 bits

std::uint32_t all_ones(int rounds) { return (std::uint32_t{1} << rounds) - 1; }

}  // namespace

bool InputSweepPlan::transmits(NicIndex nic, int round) const {
  if (nic < 0 || static_cast<std::size_t>(nic) >= codes.size() || round < 0 || round >= rounds) return false;
  return ((codes[static_cast<std::size_t>(nic)] >> round) & 1U) != 0;
}

std::vector<NicIndex> InputSweepPlan::transmitters(int round) const {
  std::vector<NicIndex> on;
  for (std::size_t k = 0; k < codes.size(); ++k) {
    if (transmits(static_cast<NicIndex>(k), round)) on.push_back(static_cast<NicIndex>(k));
  }
  return on;
}

Result<InputSweepPlan> plan_input_sweep(int nic_count) {
  if (nic_count < 1 || nic_count > kMaxSweepNics) {
    return fail(Errc::invalid_argument, fmt::format("must be 1..{}, got {}", kMaxSweepNics, nic_count), "nic_count");
  }
  InputSweepPlan plan;
  plan.rounds = 2;
  while (all_ones(plan.rounds) - 1 < static_cast<std::uint32_t>(nic_count)) ++plan.rounds;
  plan.codes.reserve(static_cast<std::size_t>(nic_count));
  for (int k = 0; k < nic_count; ++k) plan.codes.push_back(static_cast<std::uint32_t>(k) + 1);
  return plan;
}

std::string pattern_text(std::uint32_t pattern, int rounds) {
  std::string text;
  for (int r = 0; r < rounds; ++r) {
    if (r > 0) text += ',';
    text += ((pattern >> r) & 1U) != 0 ? "lit" : "dark";
  }
  return text;
}

Result<InputSweepResult> decode_input_sweep(const InputSweepPlan& plan, const std::vector<PowerSweep>& sweeps,
                                            double dark_threshold_dbm) {
  if (plan.rounds < 2 || plan.rounds > 31) {
    return fail(Errc::invalid_argument, fmt::format("must be 2..31, got {}", plan.rounds), "plan.rounds");
  }
  if (sweeps.size() != static_cast<std::size_t>(plan.rounds)) {
    return fail(Errc::invalid_argument, fmt::format("the plan has {} rounds, got {} sweeps", plan.rounds, sweeps.size()),
                "sweeps");
  }
  if (!std::isfinite(dark_threshold_dbm)) return fail(Errc::invalid_argument, "must be a number", "dark_threshold_dbm");

  // Each port's pattern, round 0 in bit 0. Every sweep must read exactly the ports of the first:
  // a port missing from one round has no pattern, and guessing one could assign a NIC wrongly.
  std::map<SwitchPort, std::uint32_t> patterns;
  for (std::size_t r = 0; r < sweeps.size(); ++r) {
    const std::string field = fmt::format("sweeps[{}]", r);
    if (sweeps[r].size() != sweeps[0].size()) {
      return fail(Errc::invalid_argument,
                  fmt::format("read {} ports, round 0 read {}: every sweep must read the same ports", sweeps[r].size(),
                              sweeps[0].size()),
                  field);
    }
    for (const auto& [port, dbm] : sweeps[r]) {
      if (!std::isfinite(dbm)) return fail(Errc::invalid_argument, fmt::format("port {}: reading is not a number", port), field);
      auto it = patterns.find(port);
      if (it == patterns.end()) {
        if (r > 0) return fail(Errc::invalid_argument, fmt::format("port {} was not read in round 0", port), field);
        it = patterns.emplace(port, 0U).first;
      }
      if (dbm > dark_threshold_dbm) it->second |= std::uint32_t{1} << r;
    }
  }

  std::map<std::uint32_t, NicIndex> nic_of_code;
  for (std::size_t k = 0; k < plan.codes.size(); ++k) {
    const std::uint32_t c = plan.codes[k];
    if (c == 0 || c >= all_ones(plan.rounds) || !nic_of_code.emplace(c, static_cast<NicIndex>(k)).second) {
      return fail(Errc::invalid_argument, fmt::format("NIC {}: code {} is not a distinct code in 1..{}", k, c,
                                                      all_ones(plan.rounds) - 1),
                  "plan.codes");
    }
  }

  InputSweepResult result;
  std::map<NicIndex, std::vector<SwitchPort>> inputs_of_nic;   // ports come in name order (a std::map)
  for (const auto& [port, pattern] : patterns) {
    if (pattern == 0) continue;   // nothing we switch is plugged in, or it is dark: not a finding of this stage
    if (pattern == all_ones(plan.rounds)) {
      result.always_lit.push_back(port);
      continue;
    }
    const auto nic = nic_of_code.find(pattern);
    if (nic == nic_of_code.end()) {
      result.unexplained.push_back(UnexplainedInput{.input = port, .pattern = pattern});
      continue;
    }
    inputs_of_nic[nic->second].push_back(port);
  }
  for (std::size_t k = 0; k < plan.codes.size(); ++k) {
    const auto nic = static_cast<NicIndex>(k);
    const auto it = inputs_of_nic.find(nic);
    if (it == inputs_of_nic.end()) {
      result.unlit.push_back(nic);
    } else if (it->second.size() == 1) {
      result.found.emplace(nic, it->second.front());
    } else {
      result.ambiguous.push_back(AmbiguousCode{.nic = nic, .inputs = it->second});
    }
  }
  return result;
}

}  // namespace mixnet::coord::cabling
