#pragma once
// The emulator-only control API (ground truth, faults, state dump), without sockets: the
// emulator's control listener and the fuzz target call exactly this. Every route is under /v1;
// docs/ocs-emulator.md lists them with curl examples.
#include <nlohmann/json.hpp>
#include <string>

#include "tools/ocs-emu/switch_model.hpp"

namespace mixnet::ocs_emu {

struct ControlResponse {
  unsigned status = 200;
  nlohmann::json body;
};

// The model must be locked by the caller.
ControlResponse handle_control(SwitchModel& model, const std::string& method, const std::string& target,
                               const std::string& body, Now now);

nlohmann::json to_json(const ChangeRecord& r);
nlohmann::json to_json(const PortView& v);
nlohmann::json faults_json(const SwitchModel& model);
nlohmann::json state_json(SwitchModel& model);   // reads power, so not const (noise RNG)

}  // namespace mixnet::ocs_emu
