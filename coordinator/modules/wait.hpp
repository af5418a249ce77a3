#pragma once
// wait: sleep for `seconds`, or until the expression `until` holds (checked every `interval`
// seconds, default 0.1) within `timeout` seconds (default: the step's timeout).
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class WaitModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "wait"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
