#pragma once
// The inventory file with the found cabling map written into it (docs/inventory.md "The
// corrected file"): each found port's `ocs:` set to what was found (its switch, tx and rx or
// port), every other key as it was. The text reads back (read_inventory, parse_inventory) with
// exactly the found map on those ports. yaml-cpp keeps no comments: the result has none.
//
// A port the map says nothing of keeps its entry, unless that entry names a switch port the map
// now gives to another NIC port: the entry is then known wrong, and is cut back to its switch
// alone (`ocs: {switch: S}`), for the next discovery to find, and listed in `cleared`.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/cabling_map.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

struct CorrectedInventory {
  std::string yaml;                 // the whole file, to write where the user asked
  std::size_t rewritten = 0;        // found ports whose `ocs:` changed (those that agreed did not)
  std::vector<PortRef> cleared;     // ports not found whose old map clashed with the found one
};

// From the inventory file at `inventory_path`. Fails when the file does not read as an
// inventory, or when `found` is not a map of its ports (validate_cabling_map).
[[nodiscard]] Result<CorrectedInventory> corrected_inventory(const std::string& inventory_path, const CablingMap& found);

// The same from the inventory's text; `display_name` names it in errors.
[[nodiscard]] Result<CorrectedInventory> corrected_inventory_from_text(std::string_view yaml_text, const std::string& display_name,
                                                                      const CablingMap& found);

}  // namespace mixnet::coord
