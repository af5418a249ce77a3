#pragma once
// links.verify: every port a topology connects is up at both ends, and the identity probe proves
// the expected peer (coordinator/verify/link_verifier.hpp has the method; this module reports its
// typed verdicts as items).
//   topology: NAME        default: the topology ocs.apply last applied in this run (per switch)
//   deadline: SECONDS     how long links may take to come up, 0.1..3600 (default 30; never past
//                         the step's timeout)
//   probe_count: N        frames per probe request, 1..16 (default 2)
//   probe_rounds: N       probe requests per direction before diagnosing, 1..10 (default 3)
// Items: one per port (kind "port", id "h1:ocs0"): ok / miswired (naming the real and the
// expected peer) / dark / one-sided / unreachable / failed, with the link-up time from the
// agent's journal and the probe's times. Step data: counts per status, all_verified_ns,
// last_link_up_ns and control_overhead_ns (the first minus the second). Check mode reads the
// agents too (it changes nothing): the verdicts are real.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class LinksVerifyModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "links.verify"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
