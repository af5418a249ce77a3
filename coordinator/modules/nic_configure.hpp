#pragma once
// nic.configure: bring NIC ports to the wanted MTU, admin state and addresses, through the agents.
//   ports: all | [HOST:PORT | HOST, ...]   default all: every port of the inventory
//   mtu: N                68..65535; default: the port's expect.mtu in the inventory, else unchanged
//   admin: up|down        default: unchanged
//   addresses: BOOL       add the port's inventory address when missing (default true)
// Only what differs from the agent's report is sent. Items: one per port (kind "port") with what
// was applied; a port whose agent does not answer is "unreachable" (the other hosts go on).
// Check mode reads the agents and lists the differences.
#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class NicConfigureModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "nic.configure"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

}  // namespace mixnet::coord
