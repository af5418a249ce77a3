#pragma once
// The RDMA verbs traffic engine (transport "rdma"): RC queue pairs, RDMA WRITE / READ / SEND,
// bandwidth as perftest computes it (perftest_bw.hpp), the exchange brokered by the API
// (rdma_runs.hpp). The device and port come from the agent's sysfs inventory of the run's netdev;
// a port without one is refused with the reason, never run over TCP instead.
#include <functional>

#include "agent/traffic/traffic_engine.hpp"
#include "hwdrivers/nic/rdma_inventory.hpp"
#include "hwdrivers/nic/verbs_api.hpp"

namespace mixnet::agent::traffic::rdma {

using RdmaScanner = std::function<Result<nic::RdmaScan>()>;

class RdmaEngine final : public TrafficEngine {
 public:
  // Defaults: libibverbs and /sys/class/infiniband.
  RdmaEngine();
  RdmaEngine(nic::VerbsApi& verbs, RdmaScanner scanner);
  [[nodiscard]] std::string_view transport() const override { return "rdma"; }
  Result<std::unique_ptr<TrafficRun>> start(std::string id, const TrafficSpec& spec) override;

 private:
  nic::VerbsApi& verbs_;
  RdmaScanner scanner_;
};

}  // namespace mixnet::agent::traffic::rdma
