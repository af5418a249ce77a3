#pragma once
// ocs.clear: break cross-connects.
//   switch: NAME         optional: one OCS switch (default: every OCS switch of the inventory)
//   everything: BOOL     false (default): only connections on ports the inventory cables;
//                        true: every connection on the switch, other people's too
// Items: one per switch (kind "switch", id the switch name) with the removed connections and the
// command / acknowledgement times. Check mode lists what would be broken.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class OcsClearModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "ocs.clear"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
