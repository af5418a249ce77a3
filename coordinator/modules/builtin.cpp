// The registry of every module mixnet-coord knows, and the pools it drives them with. A new module
// is one include and one add() line here.
#include "coordinator/engine/registry.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/modules/assert.hpp"
#include "coordinator/modules/cabling_discover.hpp"
#include "coordinator/modules/eps_verify.hpp"
#include "coordinator/modules/health_bandwidth.hpp"
#include "coordinator/modules/health_hosts.hpp"
#include "coordinator/modules/health_report.hpp"
#include "coordinator/modules/health_counters.hpp"
#include "coordinator/modules/hosts_verify.hpp"
#include "coordinator/modules/links_verify.hpp"
#include "coordinator/modules/measure_reconfig.hpp"
#include "coordinator/modules/measure_replay.hpp"
#include "coordinator/modules/nic_configure.hpp"
#include "coordinator/modules/ocs_apply.hpp"
#include "coordinator/modules/ocs_clear.hpp"
#include "coordinator/modules/ocs_power.hpp"
#include "coordinator/modules/traffic_run.hpp"
#include "coordinator/modules/wait.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::coord {

ModuleRegistry builtin_modules() {
  ModuleRegistry registry;
  registry.add(std::make_unique<WaitModule>());
  registry.add(std::make_unique<AssertModule>());
  registry.add(std::make_unique<OcsApplyModule>());
  registry.add(std::make_unique<OcsClearModule>());
  registry.add(std::make_unique<OcsPowerModule>());
  registry.add(std::make_unique<LinksVerifyModule>());
  registry.add(std::make_unique<NicConfigureModule>());
  registry.add(std::make_unique<HostsVerifyModule>());
  registry.add(std::make_unique<EpsVerifyModule>());
  registry.add(std::make_unique<TrafficRunModule>());
  registry.add(std::make_unique<MeasureReconfigModule>());
  registry.add(std::make_unique<MeasureReplayModule>());
  registry.add(std::make_unique<HealthHostsModule>());
  registry.add(std::make_unique<HealthBandwidthModule>());
  registry.add(std::make_unique<HealthReportModule>());
  registry.add(std::make_unique<HealthCountersModule>());
  registry.add(std::make_unique<CablingDiscoverModule>());
  return registry;
}

PoolFactories builtin_pool_factories() {
  PoolFactories factories;
  factories.agents = [](const Inventory& inventory, const PoolRequest&) -> Result<std::shared_ptr<AgentPool>> {
    auto pool = make_agent_pool(inventory);
    if (!pool) return std::unexpected(pool.error());
    return std::shared_ptr<AgentPool>(std::move(*pool));
  };
  factories.switches = [](const Inventory& inventory, const PoolRequest& request) -> Result<std::shared_ptr<SwitchPool>> {
    SwitchPoolOptions options;
    options.run_id = request.run_id;
    options.holder = request.holder;
    options.check_mode = request.check_mode;   // no lease, read-only switches
    auto pool = make_switch_pool(inventory, std::move(options));
    if (!pool) return std::unexpected(pool.error());
    return std::shared_ptr<SwitchPool>(std::move(*pool));
  };
  return factories;
}

}  // namespace mixnet::coord
