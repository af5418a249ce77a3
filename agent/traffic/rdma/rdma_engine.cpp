#include "agent/traffic/rdma/rdma_engine.hpp"

#include "agent/traffic/rdma/rdma_plan.hpp"
#include "agent/traffic/rdma/rdma_runs.hpp"

namespace mixnet::agent::traffic::rdma {

RdmaEngine::RdmaEngine() : RdmaEngine(nic::real_verbs(), [] { return nic::scan_rdma_sysfs(); }) {}

RdmaEngine::RdmaEngine(nic::VerbsApi& verbs, RdmaScanner scanner) : verbs_(verbs), scanner_(std::move(scanner)) {}

Result<std::unique_ptr<TrafficRun>> RdmaEngine::start(std::string id, const TrafficSpec& spec) {
  // A fresh scan per run: RDMA devices come and go with drivers, and a run is rare.
  auto scan = scanner_();
  if (!scan) {
    return fail(Errc::unavailable, "port " + spec.port + " has no RDMA device: the RDMA inventory is unreadable (" +
                                       scan.error().describe() + ")",
                "port");
  }
  auto plan = plan_rdma_run(spec, *scan);
  if (!plan) return std::unexpected(plan.error());
  auto res = nic::RdmaResources::open(verbs_, plan->resources);
  if (!res) return std::unexpected(res.error().context("port " + spec.port));
  if (spec.role == Role::server) return RdmaServerRun::start(std::move(id), spec, std::move(*plan), std::move(*res));
  return RdmaClientRun::start(std::move(id), spec, std::move(*plan), std::move(*res));
}

}  // namespace mixnet::agent::traffic::rdma
