#pragma once
// health.bandwidth: the nightly check's bandwidth coverage (docs/health/nightly.md). One of:
//   topology: cover-1     apply the topology (only its circuits change), verify its links with the
//                         identity probe, then test every verified circuit at bandwidth; a circuit
//                         that does not verify is a failed test whose detail says why (miswired,
//                         dark, ...), and sends no traffic
//   eps: circle | k-batch every pair of electrical-switch ports by the circle method, or only its
//                         first `k` rounds (each port meets k partners: enough to retest before
//                         blaming, in k rounds instead of n-1)
//   retest: circuit | eps_pair
//                         retest rounds from health::plan_retest over the run's tests so far: a
//                         suspect gets new partners that passed (on the OCS: new circuits), round 1..
// Common arguments: duration (s per test, default 1), threshold (fraction of line rate; default
// none), line_rate_gbps, peer_fraction (default 0.5: a test under half the run's median fails),
// timeout (s per round of tests, default duration + 15), verify_deadline (s, default 10), k
// (default 3), rounds (default 2).
// Every test lands in the run's health ledger as a PairTest (round 0 first pass, 1.. retests) and
// a bandwidth_gbps Observation of its part; a failed test never fails the step. Hosts the ledger
// knows as unreachable are left out of every test (blame sorts them out). Step data: the seconds
// spent reconfiguring, verifying and sending traffic (bench/health.sh reads them).
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class HealthBandwidthModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "health.bandwidth"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
