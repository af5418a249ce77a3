#pragma once
// The one error of every command that needs to know on which switch ports a NIC port's fibres
// land, given ports whose inventory entry says only which switch they are on
// (`ocs: {switch: ocs0}`, docs/inventory.md "A partial map"):
//
//   ocs.apply: no cabling map for h2:ocs1, h3:ocs0 (the inventory says only `ocs: {switch:
//   ocs0}`; run `mixnet-coord cabling discover`)
//
// Errc::invalid_argument with Cause::cabling_unmapped and field "ocs": callers tell it apart by
// its cause, never by its text.
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "coordinator/model/inventory.hpp"

namespace mixnet::coord {

// The error for `ports` (named in the order given; a long list is cut after the first 20 with
// how many more), prefixed by `what` ("ocs.apply", "switch ocs0", "topology 'ring' (t.yaml:3)").
[[nodiscard]] Error unmapped_cabling_error(std::string_view what, const Inventory& inventory, const std::vector<PortRef>& ports);

// Fails with that error when any of `ports` is cabled to an OCS without its map; succeeds when
// every one of them is mapped (ports not cabled to an OCS, or not in the inventory, are not this
// function's business and pass).
[[nodiscard]] Result<void> require_cabling_map(std::string_view what, const Inventory& inventory, const std::vector<PortRef>& ports);

[[nodiscard]] inline bool is_unmapped_cabling(const Error& error) { return error.cause == Cause::cabling_unmapped; }

}  // namespace mixnet::coord
