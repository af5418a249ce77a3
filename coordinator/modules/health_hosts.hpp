#pragma once
// health.hosts: the nightly check's first step, per host before any pair (docs/health/nightly.md):
//   - the agent answers, and its version (a version other than this coordinator's is a warning);
//   - inventory drift: the port set, MAC, MTU and speed against the inventory's expectations
//     (hosts.verify's own comparison, host_drift / port_drift), and each port's `rdma:`
//     expectations (device, port, fw_ver, link layer, GID table; health/rdma_drift.hpp); what the
//     agent reports of RDMA ports (GID table size, port state) is also kept as observations;
//   - the clock offset against the coordinator's (GET /v1/clock round trips): sane when within
//     max_clock_offset_ms and consistent (no step while sampling).
//   hosts: [h1, h2]           default: every host
//   deadline: SECONDS         0.1..600 (default 10)
//   max_clock_offset_ms: MS   default 100
// An agent that does not answer goes to the ledger as unreachable (blamed as a host; its peers'
// tests against it count against nobody). Observations and findings go to the run's ledger;
// items as hosts.verify's (host and port), so results.json shows them too.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class HealthHostsModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "health.hosts"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
