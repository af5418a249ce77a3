#pragma once
// A call on an emulator's control API (its plane and faults, docs/ocs-emulator.md) from
// mixnet-lab: one copy for `fault` and `shape`.
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "tools/lab/lab_inventory.hpp"

namespace mixnet::lab {

// METHOD TARGET on switch `sw`'s emulator with the lab's token and `body` (none when null); the
// answer must be 200 with a JSON body. The error says who refused what.
Result<nlohmann::json> emulator_control(const RunningLab& lab, const RunningSwitch& sw, const std::string& method,
                                        const std::string& target, const nlohmann::json& body);

}  // namespace mixnet::lab
