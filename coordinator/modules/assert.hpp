#pragma once
// assert: every expression in `that` holds; otherwise the step fails with `fail_msg` (templated)
// and names the first expression that did not hold.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class AssertModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "assert"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
