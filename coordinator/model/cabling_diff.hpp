#pragma once
// The found cabling map against the inventory's (docs/inventory.md "The found map"): which ports
// the inventory has wrong, which it leaves unmapped, how many agree, and the lines people read:
//
//   h2:ocs1: inventory says in 5/out 21, found in 7/out 23
//   h3:ocs0: inventory says port 5, found port 9
//   h4:ocs0: inventory has no map, found in 7/out 23
//   h5:ocs0: inventory says switch ocs0 in 1/out 17, found switch ocs1 in 1/out 17
//
// Ports that agree are counted, not listed.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/cabling_map.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

enum class CablingDifferenceKind {
  wrong,      // the inventory maps the port, to other switch ports (or another switch)
  unmapped,   // the inventory says only which switch the port is on (`ocs: {switch: S}`)
};

struct CablingDifference {
  PortRef port;
  CablingDifferenceKind kind = CablingDifferenceKind::wrong;
  OcsCabling inventory;   // as the inventory has it (its switch alone when unmapped)
  OcsCabling found;
  // "h2:ocs1: inventory says in 5/out 21, found in 7/out 23"; the switches are named only when
  // they differ.
  [[nodiscard]] std::string str() const;
};

struct CablingDiff {
  std::vector<CablingDifference> differences;   // in inventory order (host by host)
  std::size_t agreeing = 0;                    // ports found where the inventory says
  // The inventory's OCS ports (of the switches compared) that the map has nothing for: not
  // discovered, for the discovery to say why (dark, agent down).
  std::vector<PortRef> not_found;

  [[nodiscard]] std::vector<std::string> lines() const;   // each difference's str()
  [[nodiscard]] bool agrees() const { return differences.empty(); }
};

// Compares each port the inventory cables to an OCS with what `found` says of it. With
// `switch_name`, only the ports on that switch (by the inventory or by the finding) are compared.
// Fails (validate_cabling_map) when `found` is not a map of this inventory's ports.
[[nodiscard]] Result<CablingDiff> diff_cabling(const Inventory& inventory, const CablingMap& found,
                                               std::optional<std::string_view> switch_name = std::nullopt);

}  // namespace mixnet::coord
