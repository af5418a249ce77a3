#pragma once
// Owns a run's agent and switch pools and makes each on first use, so a playbook of `wait`s and
// `assert`s never contacts an agent or a switch.
#include <memory>
#include <mutex>
#include <optional>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class PoolHolder {
 public:
  PoolHolder(const Inventory& inventory, PoolFactories factories, PoolRequest request);
  ~PoolHolder();
  PoolHolder(const PoolHolder&) = delete;
  PoolHolder& operator=(const PoolHolder&) = delete;

  Result<AgentPool*> agents();
  Result<SwitchPool*> switches();

 private:
  const Inventory& inventory_;
  PoolFactories factories_;
  PoolRequest request_;
  std::mutex mutex_;
  std::shared_ptr<AgentPool> agents_;
  std::shared_ptr<SwitchPool> switches_;
  std::optional<Error> agents_error_;   // a failed factory is not retried within one run
  std::optional<Error> switches_error_;
};

}  // namespace mixnet::coord
