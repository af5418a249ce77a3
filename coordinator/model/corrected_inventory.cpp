#include "coordinator/model/corrected_inventory.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "coordinator/model/yaml_util.hpp"

namespace mixnet::coord {

namespace {

// "7" is written plain, as people write Polatis ports; "1.1.1" quoted, as the docs write Calient's.
YAML::Node port_scalar(const std::string& port) {
  YAML::Node node(port);
  if (!std::ranges::all_of(port, [](char c) { return c >= '0' && c <= '9'; })) node.SetTag("!");
  return node;
}

// The `ocs:` mapping for `cabling`, in the style the file used for the port's old one.
YAML::Node ocs_node(const OcsCabling& cabling, YAML::EmitterStyle::value style) {
  YAML::Node node(YAML::NodeType::Map);
  node["switch"] = cabling.switch_name;
  if (cabling.port) node["port"] = port_scalar(*cabling.port);
  if (cabling.tx) node["tx"] = port_scalar(*cabling.tx);
  if (cabling.rx) node["rx"] = port_scalar(*cabling.rx);
  node.SetStyle(style == YAML::EmitterStyle::Block ? YAML::EmitterStyle::Block : YAML::EmitterStyle::Flow);
  return node;
}

// The switch ports the found map gives out, per switch.
std::set<std::pair<std::string, std::string>> found_switch_ports(const CablingMap& found) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& [ref, c] : found.ports) {
    for (const auto* side : {&c.tx, &c.rx, &c.port}) {
      if (*side) out.emplace(c.switch_name, **side);
    }
  }
  return out;
}

bool clashes(const OcsCabling& kept, const std::set<std::pair<std::string, std::string>>& taken) {
  return std::ranges::any_of(std::initializer_list<const std::optional<std::string>*>{&kept.tx, &kept.rx, &kept.port},
                             [&](const std::optional<std::string>* side) { return *side && taken.contains({kept.switch_name, **side}); });
}

// The new `ocs:` of every port to change: the found ones that differ, and those cut back.
std::map<PortRef, OcsCabling> changes_for(const Inventory& inventory, const CablingMap& found, CorrectedInventory& out) {
  std::map<PortRef, OcsCabling> changes;
  const auto taken = found_switch_ports(found);
  for (const auto& ref : inventory.ocs_ports()) {
    const OcsCabling& said = *(*inventory.find_port(ref))->ocs;
    if (const OcsCabling* seen = found.find(ref)) {
      if (!(said == *seen)) {
        changes.emplace(ref, *seen);
        ++out.rewritten;
      }
    } else if (said.mapped() && clashes(said, taken)) {
      changes.emplace(ref, OcsCabling{.switch_name = said.switch_name});
      out.cleared.push_back(ref);
    }
  }
  return changes;
}

}  // namespace

Result<CorrectedInventory> corrected_inventory_from_text(std::string_view yaml_text, const std::string& display_name,
                                                         const CablingMap& found) {
  auto inventory = parse_inventory(yaml_text, display_name, "");
  if (!inventory) return std::unexpected(inventory.error());
  if (auto ok = validate_cabling_map(*inventory, found); !ok) return std::unexpected(ok.error());
  const yamlx::Source src{display_name};
  auto root = yamlx::load(yaml_text, src);
  if (!root) return std::unexpected(root.error());

  CorrectedInventory out;
  const auto changes = changes_for(*inventory, found, out);
  // The reader has checked the shape: hosts is a list of maps with names, each ports list too.
  YAML::Node hosts = (*root)["hosts"];
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    YAML::Node ports = hosts[h]["ports"];
    if (!ports.IsDefined()) continue;
    const std::string host = hosts[h]["name"].Scalar();
    for (std::size_t p = 0; p < ports.size(); ++p) {
      YAML::Node port = ports[p];
      const auto change = changes.find(PortRef{host, port["name"].Scalar()});
      if (change == changes.end()) continue;
      port["ocs"] = ocs_node(change->second, port["ocs"].Style());
    }
  }
  out.yaml = yamlx::emit(*root);

  // What we write must read back, with the found map on the found ports: checked here, so a bug
  // shows as an error and never as a file that `inventory show` refuses.
  auto again = parse_inventory(out.yaml, display_name + " (corrected)", "");
  if (!again) return std::unexpected(again.error().context("the corrected inventory does not read back"));
  for (const auto& [ref, cabling] : found.ports) {
    auto port = again->find_port(ref);
    if (!port || !(*port)->ocs || !(*(*port)->ocs == cabling))
      return fail(Errc::internal, fmt::format("the corrected inventory does not give {} its found map", ref.str()), ref.str());
  }
  return out;
}

Result<CorrectedInventory> corrected_inventory(const std::string& inventory_path, const CablingMap& found) {
  auto text = yamlx::read_file(inventory_path);
  if (!text) return std::unexpected(text.error().context("inventory"));
  return corrected_inventory_from_text(*text, inventory_path, found);
}

}  // namespace mixnet::coord
