#pragma once
// The OCS ports a generator may still give circuits to, host by host and switch by switch, from
// the inventory's cabling (docs/topologies.md, "Algorithms"). Every generator takes its ports
// from here, so none uses a port twice or joins hosts that share no switch.
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/topogen/demand_matrix.hpp"

namespace mixnet::coord::topogen {

class PortPool {
 public:
  // Every OCS-cabled port, or only those on `region`'s switches when it is given. Errors: an
  // unknown region (field "region"); ports without their cabling map (unmapped_cabling.hpp).
  static Result<PortPool> from_inventory(const Inventory& inventory, const std::string& region, std::string_view what);

  // Hosts with at least one port in scope, in inventory order.
  [[nodiscard]] const std::vector<std::string>& hosts() const { return hosts_; }
  [[nodiscard]] int free_ports(const std::string& host) const;
  // The switch on which `a` and `b` both still have a free port: of those, the one where the
  // scarcer end has the most ports left (so one pair does not exhaust a switch others need), ties
  // to inventory order. Never for a host with itself.
  [[nodiscard]] std::optional<std::size_t> shared_switch(const std::string& a, const std::string& b) const;
  [[nodiscard]] bool can_join(const std::string& a, const std::string& b) const { return shared_switch(a, b).has_value(); }
  // A circuit between the first free ports (inventory order) of `a` and `b` on their shared
  // switch; nullopt when they have none.
  std::optional<Circuit> take(const std::string& a, const std::string& b);

 private:
  [[nodiscard]] std::size_t host_index(const std::string& host) const;

  std::vector<std::string> hosts_;
  std::vector<std::string> switches_;
  // free_[host][switch]: the host's free ports on that switch, first to be taken first.
  std::vector<std::vector<std::vector<std::string>>> free_;
};

// Where a demand-aware generator starts: the demand's hosts checked against the inventory, the
// ports in scope, and the symmetrised demand over the pool's hosts (DemandMatrix::pair_weights).
struct DemandScope {
  PortPool pool;
  std::vector<std::vector<double>> weights;
};
Result<DemandScope> demand_scope(const DemandMatrix& demand, const Inventory& inventory, const std::string& region, std::string_view what);

}  // namespace mixnet::coord::topogen
