#pragma once
// eps.verify: every port cabled to an electrical switch reaches every other port on that switch.
// Each port sends identity probes (one nonce per round) and each port must hear every other
// port of its switch, so a port is proven both ways.
//   hosts: [h1, h2]      default: every host
//   deadline: SECONDS    0.1..600 (default 10)
//   probe_count: N       frames per port per round, 1..16 (default 2)
// Items: one per port (kind "port"): ok; dark (no carrier); failed, naming the ports it did not
// hear and the ports that did not hear it; unreachable (its agent does not answer); skipped (the
// only port on its switch). Probes change nothing: check mode gives the real verdicts.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class EpsVerifyModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "eps.verify"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
