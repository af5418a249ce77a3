#pragma once
// `mixnet-coord inventory show --json`: the inventory as the reader understood it (docs/inventory.md),
// every field it holds, with token files resolved to absolute paths. Keys that the file leaves out
// are left out here too (an absent threshold is the check's default, not a value of the file).
#include <nlohmann/json.hpp>

#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

[[nodiscard]] nlohmann::json inventory_json(const Inventory& inv);
// One port's OCS cabling as the file would say it: {switch, tx, rx} or {switch, port}, or the
// switch alone when unmapped (cabling.discover's items use it for the found and the inventory map).
[[nodiscard]] nlohmann::json ocs_cabling_json(const OcsCabling& cabling);

}  // namespace mixnet::coord
