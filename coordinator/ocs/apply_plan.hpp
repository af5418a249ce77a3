#pragma once
// What ocs.apply and ocs.clear must do to a switch, worked out from what the switch holds now and
// what the topology wants: pure, so the "fewest changes" promise is tested without a switch.
//
// Only ports the inventory cables to the switch are ours. Connections between other ports belong
// to someone else (another experiment on the same switch) and are left alone: "foreign".
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::coord {

enum class ApplyMode {
  fewest_changes,   // keep what is already right, break what is wrong, make what is missing
  replace,          // break every connection on our ports, then make the whole topology
};
std::string_view to_string(ApplyMode mode);               // "fewest-changes" | "replace"
Result<ApplyMode> parse_apply_mode(std::string_view text);   // errors name "mode"

struct ApplyPlan {
  std::vector<ocs::CrossConnect> keep;      // wanted and already there
  std::vector<ocs::CrossConnect> remove;    // there, on our ports, to be broken
  std::vector<ocs::CrossConnect> make;      // wanted and missing (or broken first, in replace)
  std::vector<ocs::CrossConnect> foreign;   // there, on no port of ours: left alone

  [[nodiscard]] bool empty() const { return remove.empty() && make.empty(); }
  [[nodiscard]] std::size_t changes() const { return remove.size() + make.size(); }
  // The disconnects: one end (the ingress) of each connection to remove.
  [[nodiscard]] ocs::ChangeSet disconnects() const;
  // The connects.
  [[nodiscard]] ocs::ChangeSet connects() const;
  // Both in one change set (the driver orders disconnects first).
  [[nodiscard]] ocs::ChangeSet change_set() const;
};

// The same connection? A bidirectional connection matches either way round.
bool same_connection(const ocs::CrossConnect& a, const ocs::CrossConnect& b);

// `ours`: every switch port the inventory cables (tx, rx or port of some host port).
ApplyPlan plan_apply(const std::vector<ocs::CrossConnect>& current, const std::vector<ocs::CrossConnect>& wanted,
                     const std::set<ocs::PortId>& ours, ApplyMode mode);

// ocs.clear: every connection on our ports goes (or every connection at all, with `everything`).
ApplyPlan plan_clear(const std::vector<ocs::CrossConnect>& current, const std::set<ocs::PortId>& ours, bool everything);

// "7->29", "3<->12": for messages and JSON.
std::string describe(const ocs::CrossConnect& c);
nlohmann::json plan_json(const ApplyPlan& plan);

}  // namespace mixnet::coord
