#pragma once
// Named lab sizes (`mixnet-lab up --preset NAME`, `preset:` in a config file): the MixNet
// prototype and the deployment the MixNet paper designs for, at two sizes. A preset sets only the
// sizes; the config file's other keys and explicit flags override them (docs/lab.md, "Presets").
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "tools/lab/lab_config.hpp"

namespace mixnet::lab {

struct LabPreset {
  std::string_view name;
  std::string_view description;   // one line, for --help and docs
  int hosts = 0;
  int gpus = 0;                    // per host
  int ocs_ports = 0;               // per host
  int eps_ports = 0;               // per host
  int hosts_per_region = 0;        // 0: one region holding every host
};

const std::vector<LabPreset>& lab_presets();

// Sets the preset's sizes in `c`; an unknown name is an error naming the field "preset" and
// listing the known ones.
Result<void> apply_preset(const std::string& name, LabConfig& c);

// "prototype, mixnet-256, mixnet-1024": the names, for messages.
std::string preset_names();

}  // namespace mixnet::lab
