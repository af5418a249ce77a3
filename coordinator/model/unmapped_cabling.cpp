#include "coordinator/model/unmapped_cabling.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mixnet::coord {

namespace {

// Enough to act on at a glance; discovery maps them all at once anyway.
constexpr std::size_t kPortsNamed = 20;

// The switches the ports are on, each once, in the order first met.
std::vector<std::string> switches_of(const Inventory& inventory, const std::vector<PortRef>& ports) {
  std::vector<std::string> out;
  for (const auto& ref : ports) {
    auto port = inventory.find_port(ref);
    if (!port || !(*port)->ocs) continue;
    if (std::ranges::find(out, (*port)->ocs->switch_name) == out.end()) out.push_back((*port)->ocs->switch_name);
  }
  return out;
}

}  // namespace

Error unmapped_cabling_error(std::string_view what, const Inventory& inventory, const std::vector<PortRef>& ports) {
  std::string names;
  for (std::size_t i = 0; i < ports.size() && i < kPortsNamed; ++i) names += (i == 0 ? "" : ", ") + ports[i].str();
  if (ports.size() > kPortsNamed) names += fmt::format(" and {} more", ports.size() - kPortsNamed);
  std::string says;
  for (const auto& sw : switches_of(inventory, ports)) says += fmt::format("{}`ocs: {{switch: {}}}`", says.empty() ? "" : " or ", sw);
  if (says.empty()) says = "`ocs: {switch: ...}`";
  return Error{.code = Errc::invalid_argument,
               .message = fmt::format("{}: no cabling map for {} (the inventory says only {}; run `mixnet-coord cabling discover`)",
                                      what, names, says),
               .field = "ocs",
               .cause = Cause::cabling_unmapped};
}

Result<void> require_cabling_map(std::string_view what, const Inventory& inventory, const std::vector<PortRef>& ports) {
  std::vector<PortRef> unmapped;
  for (const auto& ref : ports) {
    auto port = inventory.find_port(ref);
    if (port && (*port)->ocs && !(*port)->ocs->mapped() && std::ranges::find(unmapped, ref) == unmapped.end()) unmapped.push_back(ref);
  }
  if (unmapped.empty()) return {};
  return std::unexpected(unmapped_cabling_error(what, inventory, unmapped));
}

}  // namespace mixnet::coord
