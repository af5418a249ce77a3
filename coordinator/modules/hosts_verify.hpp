#pragma once
// hosts.verify: every host's agent answers, and what it reports matches the inventory.
//   hosts: [h1, h2]      default: every host of the inventory
//   deadline: SECONDS    0.1..600 (default 10; never past the step's timeout)
// Items: one per host (kind "host": ok, unreachable, or failed when the agent names itself
// differently or manages ports the inventory does not know) and one per inventory port (kind
// "port": ok, or failed when the agent does not report it, or its MAC, MTU or speed differs from
// the inventory's `mac` / `expect`). Reads only: check mode gives the real verdicts.
#include "coordinator/engine/module.hpp"

namespace mixnet::wire {
struct Inventory;
struct PortInfo;
}  // namespace mixnet::wire

namespace mixnet::coord {

struct Host;
struct HostPort;

class HostsVerifyModule final : public Module {
 public:
  [[nodiscard]] std::string_view name() const override { return "hosts.verify"; }
  [[nodiscard]] Result<void> validate(const nlohmann::json& args, const ValidationContext& vc) const override;
  StepResult run(const nlohmann::json& args, StepContext& ctx) override;
};

// Host names from a "hosts" argument (absent: every host); errors name the unknown host.
Result<std::vector<std::string>> selected_hosts(const nlohmann::json& args, const Inventory& inventory);

// Inventory drift, one line per difference (empty: none); health.hosts judges with the same code.
// The host as a whole: the agent's host id, ports it manages that the inventory does not list.
std::vector<std::string> host_drift(const Host& want, const wire::Inventory& got);
// One inventory port as its agent reports it: MAC, MTU and speed against `mac` / `expect`.
std::vector<std::string> port_drift(const HostPort& want, const wire::PortInfo& got);

}  // namespace mixnet::coord
