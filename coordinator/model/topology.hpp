#pragma once
// Topologies (docs/playbooks.md, "Topology files"): named sets of circuits between host ports,
// and their resolution through the inventory's cabling into OCS cross-connects.
//   NxM switch:        h1:p0 - h2:p1  ->  in(h1.tx)->out(h2.rx) and in(h2.tx)->out(h1.rx)
//   any-to-any switch: h1:p0 - h2:p1  ->  one bidirectional cross-connect port(h1)<->port(h2)
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord {

struct Circuit {
  PortRef a;
  PortRef b;
  int line = 0;
  [[nodiscard]] std::string str() const { return a.str() + " - " + b.str(); }  // "h1:ocs0 - h2:ocs1"
};

// A circuit placed on its switch: the cross-connects that make it.
struct ResolvedCircuit {
  Circuit circuit;
  std::string switch_name;
  std::vector<ocs::CrossConnect> cross_connects;   // two on NxM, one bidirectional otherwise
};

struct Topology {
  std::string name;
  std::string description;
  // Confined to one reconfiguration region (the inventory's switch `region:`): its circuits are
  // all on that region's switches, and applying it drives those switches only, leaving every
  // other region's circuits as they are. Empty: the whole testbed (every cabled switch).
  std::string region;
  std::string file;                  // where it was defined
  int line = 0;
  std::vector<Circuit> circuits;
  // Filled by resolution:
  std::vector<ResolvedCircuit> resolved;
  std::map<std::string, std::vector<ocs::CrossConnect>> per_switch;  // switch -> its cross-connects

  // The circuit a port belongs to, or nullptr when the topology leaves it unconnected.
  [[nodiscard]] const ResolvedCircuit* circuit_of(const PortRef& port) const;
  // The far end of `port` in this topology, when it has one.
  [[nodiscard]] const PortRef* peer_of(const PortRef& port) const;
};

// Every topology a run knows, by name, each resolved against the run's inventory.
class TopologySet {
 public:
  [[nodiscard]] const Topology* find(std::string_view name) const;
  [[nodiscard]] const std::vector<Topology>& all() const { return topologies_; }
  [[nodiscard]] std::vector<std::string> names() const;
  [[nodiscard]] bool empty() const { return topologies_.empty(); }
  // Errors when a topology of the same name is already there (naming both files).
  Result<void> add(Topology topology);

 private:
  std::vector<Topology> topologies_;
};

// Reads a topology file (one or many topologies) and resolves each against the inventory.
// Errors name file:line and the problem: a port used twice, an unknown host or port, a port not
// cabled to an OCS, ports on different switches, a circuit outside the topology's region, an
// unknown region, a duplicate topology name; ports the inventory leaves without their cabling map
// all in one error (unmapped_cabling.hpp, Cause::cabling_unmapped).
Result<std::vector<Topology>> read_topology_file(const std::string& path, const Inventory& inventory);
Result<std::vector<Topology>> parse_topology_text(std::string_view yaml_text, const std::string& display_name,
                                                  const Inventory& inventory);
// Reads several files into one set (names must be unique across them).
Result<TopologySet> read_topologies(const std::vector<std::string>& paths, const Inventory& inventory);

// Resolution alone (used by parse_topology_text; exposed for tests and for topologies built in code).
Result<void> resolve_topology(Topology& topology, const Inventory& inventory);

}  // namespace mixnet::coord
