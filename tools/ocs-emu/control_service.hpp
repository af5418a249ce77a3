#pragma once
// The emulator-only control API (ground truth, faults, state dump), without sockets: the
// emulator's control listener and the fuzz target call exactly this. Every route is under /v1;
// docs/ocs-emulator.md lists them with curl examples. The ground truth (GET /v1/changes) is
// written through its wire type, common/wire/ground_truth.hpp, which the coordinator reads back.
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

// The /v1/plane routes ("/v1/plane", "/v1/plane/...") belong to the physical plane: the caller
// answers them with handle_plane_control, without the model's lock (the plane locks itself).
bool is_plane_route(const std::string& target);
// Asks the plane (PhysicalPlane::control); a null plane answers like NullPlane (404).
ControlResponse handle_plane_control(PhysicalPlane* plane, const std::string& method, const std::string& target,
                                     const std::string& body);

nlohmann::json to_json(const PortView& v);
nlohmann::json faults_json(const SwitchModel& model);
nlohmann::json state_json(SwitchModel& model);   // reads power, so not const (noise RNG)

}  // namespace mixnet::ocs_emu
