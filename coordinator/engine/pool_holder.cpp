#include "coordinator/engine/pool_holder.hpp"

#include "common/clock.hpp"

namespace mixnet::coord {

PoolHolder::PoolHolder(const Inventory& inventory, PoolFactories factories, PoolRequest request)
    : inventory_(inventory), factories_(std::move(factories)), request_(std::move(request)) {}

// Out of line: the pools' destructors run here (shared_ptr carries them), e.g. releasing the lease.
PoolHolder::~PoolHolder() = default;

Result<AgentPool*> PoolHolder::agents() {
  std::lock_guard lock(mutex_);
  if (agents_) return agents_.get();
  if (agents_error_) return std::unexpected(*agents_error_);
  if (!factories_.agents) {
    agents_error_ = Error{Errc::unavailable, "this mixnet-coord has no agent client", {}};
    return std::unexpected(*agents_error_);
  }
  auto made = factories_.agents(inventory_, request_);
  if (!made) {
    agents_error_ = made.error().context("agent pool");
    return std::unexpected(*agents_error_);
  }
  agents_ = std::move(*made);
  return agents_.get();
}

Result<SwitchPool*> PoolHolder::switches() {
  std::lock_guard lock(mutex_);
  if (switches_) return switches_.get();
  if (switches_error_) return std::unexpected(*switches_error_);
  if (!factories_.switches) {
    switches_error_ = Error{Errc::unavailable, "this mixnet-coord has no switch pool", {}};
    return std::unexpected(*switches_error_);
  }
  auto made = factories_.switches(inventory_, request_);
  if (!made) {
    switches_error_ = made.error().context("switch pool");
    return std::unexpected(*switches_error_);
  }
  switches_ = std::move(*made);
  return switches_.get();
}

Result<AgentPool*> StepContext::agents() {
  if (pools == nullptr) return fail(Errc::unavailable, "no pools in this context");
  return pools->agents();
}

Result<SwitchPool*> StepContext::switches() {
  if (pools == nullptr) return fail(Errc::unavailable, "no pools in this context");
  return pools->switches();
}

bool StepContext::expired() const { return monotonic_ns() >= deadline_ns; }

}  // namespace mixnet::coord
