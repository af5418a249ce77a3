#pragma once
// Runs one coord-io module the way the engine does (a StepContext with the run's inventory,
// topologies, state, pools and a result sink), without the engine, so module tests assert on the
// module's own items and results.
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/engine/module.hpp"
#include "coordinator/engine/pool_holder.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/ocs/switch_pool.hpp"

namespace mixnet::testing {

class CollectingSink final : public coord::ResultSink {
 public:
  void record(const coord::ItemResult& item) override {
    std::lock_guard lock(mutex_);
    items_.push_back(item);
  }
  void note(std::string_view) override {}
  std::vector<coord::ItemResult> items() const {
    std::lock_guard lock(mutex_);
    return items_;
  }
  const coord::ItemResult* find(const std::string& id) const {
    std::lock_guard lock(mutex_);
    for (const auto& i : items_) {
      if (i.id == id) return &i;
    }
    return nullptr;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    items_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<coord::ItemResult> items_;
};

struct StepHarness {
  coord::Inventory inventory;
  coord::TopologySet topologies;
  coord::RunState state;
  CollectingSink sink;
  std::atomic<bool> cancel{false};
  std::unique_ptr<coord::PoolHolder> pools;
  std::string lease_dir;

  // `inventory_yaml` is parsed with base_dir (token files); topologies from `topology_yaml`
  // (may be empty). Agent calls use short timeouts so a dead agent is found quickly.
  StepHarness(const std::string& inventory_yaml, const std::string& topology_yaml, const std::string& base_dir,
              std::string lease_directory, bool check_mode = false)
      : lease_dir(std::move(lease_directory)) {
    auto inv = coord::parse_inventory(inventory_yaml, "inventory.yaml", base_dir);
    if (!inv) throw std::runtime_error("inventory: " + inv.error().describe());
    inventory = std::move(*inv);
    inventory.path = base_dir + "/inventory.yaml";
    if (!topology_yaml.empty()) {
      auto topos = coord::parse_topology_text(topology_yaml, "topologies.yaml", inventory);
      if (!topos) throw std::runtime_error("topologies: " + topos.error().describe());
      for (auto& t : *topos) {
        if (auto ok = topologies.add(std::move(t)); !ok) throw std::runtime_error(ok.error().describe());
      }
    }
    state.run_id = "test-run";
    make_pools(check_mode);
  }

  void make_pools(bool check_mode) {
    coord::PoolFactories f;
    f.agents = [](const coord::Inventory& inv, const coord::PoolRequest&) -> Result<std::shared_ptr<coord::AgentPool>> {
      coord::AgentPoolOptions o;
      o.request_timeout = std::chrono::milliseconds(2000);
      o.connect_timeout = std::chrono::milliseconds(500);
      o.attempts = 2;
      o.backoff = std::chrono::milliseconds(20);
      auto p = coord::make_agent_pool(inv, o);
      if (!p) return std::unexpected(p.error());
      return std::shared_ptr<coord::AgentPool>(std::move(*p));
    };
    const std::string dir = lease_dir;
    f.switches = [dir](const coord::Inventory& inv, const coord::PoolRequest& req) -> Result<std::shared_ptr<coord::SwitchPool>> {
      coord::SwitchPoolOptions o;
      o.lease_dir = dir;
      o.run_id = req.run_id;
      o.holder = req.holder;
      o.check_mode = req.check_mode;
      auto p = coord::make_switch_pool(inv, o);
      if (!p) return std::unexpected(p.error());
      return std::shared_ptr<coord::SwitchPool>(std::move(*p));
    };
    pools.reset();
    pools = std::make_unique<coord::PoolHolder>(inventory, f,
                                                coord::PoolRequest{.run_id = state.run_id, .holder = "test", .check_mode = check_mode});
  }

  coord::StepResult run(coord::Module& module, const nlohmann::json& args, bool check_mode = false,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(60'000)) {
    coord::StepContext ctx{.inventory = inventory,
                           .topologies = topologies,
                           .state = state,
                           .sink = sink,
                           .check_mode = check_mode,
                           .deadline_ns = monotonic_ns() + timeout.count() * 1'000'000,
                           .cancel = cancel,
                           .step_name = std::string(module.name()),
                           .pools = pools.get()};
    return module.run(args, ctx);
  }

  Result<void> validate(const coord::Module& module, const nlohmann::json& args) const {
    return module.validate(args, coord::ValidationContext{inventory, topologies, "test"});
  }
};

}  // namespace mixnet::testing
