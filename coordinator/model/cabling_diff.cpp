#include "coordinator/model/cabling_diff.hpp"

#include <fmt/format.h>

namespace mixnet::coord {

namespace {

// One side's map, with its switch when the two sides are on different switches.
std::string side_text(const OcsCabling& cabling, bool name_switch) {
  return name_switch ? fmt::format("switch {} {}", cabling.switch_name, describe_ports(cabling)) : describe_ports(cabling);
}

}  // namespace

std::string CablingDifference::str() const {
  const bool other_switch = inventory.switch_name != found.switch_name;
  if (kind == CablingDifferenceKind::unmapped) {
    if (!other_switch) return fmt::format("{}: inventory has no map, found {}", port.str(), describe_ports(found));
    return fmt::format("{}: inventory has no map (switch {}), found {}", port.str(), inventory.switch_name, side_text(found, true));
  }
  return fmt::format("{}: inventory says {}, found {}", port.str(), side_text(inventory, other_switch), side_text(found, other_switch));
}

std::vector<std::string> CablingDiff::lines() const {
  std::vector<std::string> out;
  out.reserve(differences.size());
  for (const auto& d : differences) out.push_back(d.str());
  return out;
}

Result<CablingDiff> diff_cabling(const Inventory& inventory, const CablingMap& found, std::optional<std::string_view> switch_name) {
  if (auto ok = validate_cabling_map(inventory, found); !ok) return std::unexpected(ok.error());
  CablingDiff diff;
  for (const auto& ref : inventory.ocs_ports()) {
    const OcsCabling& said = *(*inventory.find_port(ref))->ocs;
    const OcsCabling* seen = found.find(ref);
    const bool compared = !switch_name || said.switch_name == *switch_name || (seen != nullptr && seen->switch_name == *switch_name);
    if (!compared) continue;
    if (seen == nullptr) {
      diff.not_found.push_back(ref);
    } else if (!said.mapped()) {
      diff.differences.push_back({ref, CablingDifferenceKind::unmapped, said, *seen});
    } else if (said == *seen) {
      ++diff.agreeing;
    } else {
      diff.differences.push_back({ref, CablingDifferenceKind::wrong, said, *seen});
    }
  }
  return diff;
}

}  // namespace mixnet::coord
