#include "tools/lab/lab_presets.hpp"

#include <fmt/format.h>

namespace mixnet::lab {

const std::vector<LabPreset>& lab_presets() {
  // The deployment (docs/scaling.md): 8 NICs per server, 6 to optical switches and 2 electrical,
  // reconfiguration regions of 64 GPUs (8 servers), each region with its own OCS (48x48).
  static const std::vector<LabPreset> presets = {
      {"prototype", "the MixNet prototype (the default lab): 4 hosts x 8 GPUs, 3 OCS + 1 EPS port each, one OCS", 4,
       8, 3, 1, 0},
      {"mixnet-256", "256 GPUs: 32 hosts x 8 GPUs, 6 OCS + 2 EPS ports each, 4 regions of 8 hosts (4 OCS 48x48)", 32, 8,
       6, 2, 8},
      {"mixnet-1024", "the MixNet deployment: 128 hosts x 8 GPUs, 6 OCS + 2 EPS ports each, 16 regions of 8 hosts "
                      "(16 OCS 48x48)",
       128, 8, 6, 2, 8},
  };
  return presets;
}

std::string preset_names() {
  std::string out;
  for (const auto& p : lab_presets()) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

Result<void> apply_preset(const std::string& name, LabConfig& c) {
  for (const auto& p : lab_presets()) {
    if (p.name != name) continue;
    c.hosts = p.hosts;
    c.gpus = p.gpus;
    c.ocs_ports = p.ocs_ports;
    c.eps_ports = p.eps_ports;
    c.hosts_per_region = p.hosts_per_region;
    return {};
  }
  return fail(Errc::invalid_argument, fmt::format("'{}' is not a preset ({})", name, preset_names()), "preset");
}

}  // namespace mixnet::lab
