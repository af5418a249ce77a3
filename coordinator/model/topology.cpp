#include "coordinator/model/topology.hpp"
#include "coordinator/model/topology_generate.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/text.hpp"
#include "coordinator/model/unmapped_cabling.hpp"
#include "coordinator/model/yaml_util.hpp"

namespace mixnet::coord {
namespace {

using yamlx::error_at;
using yamlx::join;
using yamlx::Source;

// "h1:ocs0 - h2:ocs1" (a hyphen with white space around it, since names may hold hyphens) or a
// two-element list [h1:ocs0, h2:ocs1].
Result<Circuit> parse_circuit(const YAML::Node& node, const Source& src, const std::string& path) {
  Circuit circuit;
  circuit.line = yamlx::line_of(node);
  std::string a_text;
  std::string b_text;
  if (node.IsSequence()) {
    if (node.size() != 2) return error_at(src, node, path, "a circuit is two ports: [HOST:PORT, HOST:PORT]");
    auto a = yamlx::string(node[0], src, yamlx::index(path, 0));
    if (!a) return std::unexpected(a.error());
    auto b = yamlx::string(node[1], src, yamlx::index(path, 1));
    if (!b) return std::unexpected(b.error());
    a_text = *a;
    b_text = *b;
  } else {
    auto text = yamlx::string(node, src, path);
    if (!text) return std::unexpected(text.error());
    std::size_t dash = std::string::npos;
    for (std::size_t i = 1; i + 1 < text->size(); ++i) {
      if ((*text)[i] == '-' && std::isspace(static_cast<unsigned char>((*text)[i - 1])) != 0 &&
          std::isspace(static_cast<unsigned char>((*text)[i + 1])) != 0) {
        if (dash != std::string::npos) return error_at(src, node, path, fmt::format("'{}' has more than one ' - '", *text));
        dash = i;
      }
    }
    if (dash == std::string::npos) return error_at(src, node, path, fmt::format("'{}' is not 'HOST:PORT - HOST:PORT'", *text));
    a_text = trim(text->substr(0, dash), " \t");
    b_text = trim(text->substr(dash + 1), " \t");
  }
  auto a = PortRef::parse(a_text);
  if (!a) return error_at(src, node, path, a.error().message);
  auto b = PortRef::parse(b_text);
  if (!b) return error_at(src, node, path, b.error().message);
  circuit.a = *a;
  circuit.b = *b;
  return circuit;
}

Result<Topology> read_one(const YAML::Node& node, const Source& src, const std::string& path, bool top_level) {
  auto keys_ok = top_level ? yamlx::only_keys(node, src, path, {"version", "name", "description", "region", "circuits", "generate"})
                           : yamlx::only_keys(node, src, path, {"name", "description", "region", "circuits", "generate"});
  if (!keys_ok) return std::unexpected(keys_ok.error());
  Topology topology;
  topology.file = src.file;
  topology.line = yamlx::line_of(node);
  if (!node["name"]) return error_at(src, node, join(path, "name"), "required");
  auto name = yamlx::string(node["name"], src, join(path, "name"));
  if (!name) return std::unexpected(name.error());
  if (!std::ranges::all_of(*name, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-'; }) || name->size() > 63)
    return error_at(src, node["name"], join(path, "name"), fmt::format("'{}' is not a valid name ([A-Za-z0-9_.-], 1..63)", *name));
  topology.name = *name;
  if (node["description"]) {
    auto description = yamlx::scalar(node["description"], src, join(path, "description"));
    if (!description) return std::unexpected(description.error());
    topology.description = *description;
  }
  if (node["region"]) {
    auto region = yamlx::string(node["region"], src, join(path, "region"));
    if (!region) return std::unexpected(region.error());
    topology.region = *region;   // checked against the inventory when resolved
  }
  if (node["generate"]) {
    // Circuits come from the inventory (read_entry expands it); nothing else may be given.
    if (node["circuits"]) return error_at(src, node["circuits"], join(path, "circuits"), "give either circuits or generate, not both");
    auto kind = yamlx::string(node["generate"], src, join(path, "generate"));
    if (!kind) return std::unexpected(kind.error());
    if (*kind != "cover") {
      return error_at(src, node["generate"], join(path, "generate"), fmt::format("unknown generator '{}' (known: {})", *kind, kGenerators));
    }
    topology.description = "generate: " + *kind;
    return topology;
  }
  if (!node["circuits"]) return error_at(src, node, join(path, "circuits"), "required: the list of circuits (may be empty: []), or generate: cover");
  const auto circuits = node["circuits"];
  const auto circuits_path = join(path, "circuits");
  if (auto ok = yamlx::expect_seq(circuits, src, circuits_path); !ok) return std::unexpected(ok.error());
  for (std::size_t i = 0; i < circuits.size(); ++i) {
    auto circuit = parse_circuit(circuits[i], src, yamlx::index(circuits_path, i));
    if (!circuit) return std::unexpected(circuit.error());
    topology.circuits.push_back(std::move(*circuit));
  }
  return topology;
}

// Where a topology error points: "FILE:LINE: topology 'ring': ..."
std::unexpected<Error> circuit_error(const Topology& topology, const Circuit& circuit, const std::string& message) {
  std::string where = topology.file.empty() ? std::string("topology") : topology.file;
  if (circuit.line > 0) where += fmt::format(":{}", circuit.line);
  return fail(Errc::invalid_argument, fmt::format("{}: topology '{}': circuit {}: {}", where, topology.name, circuit.str(), message),
              "circuits");
}

// One entry of a topology file: a written topology, or the ones its `generate:` expands into.
Result<std::vector<Topology>> read_entry(const YAML::Node& node, const Source& src, const std::string& path, bool top_level,
                                         const Inventory& inventory) {
  auto topology = read_one(node, src, path, top_level);
  if (!topology) return std::unexpected(topology.error());
  if (!node["generate"]) return std::vector<Topology>{std::move(*topology)};
  auto generated = generate_cover(topology->name, inventory, topology->region);
  if (!generated) return yamlx::error_at(src, node["generate"], join(path, "generate"), generated.error().message);
  for (auto& t : *generated) {
    t.file = topology->file;
    t.line = topology->line;
    t.region = topology->region;
  }
  return generated;
}

}  // namespace

const ResolvedCircuit* Topology::circuit_of(const PortRef& port) const {
  for (const auto& rc : resolved) {
    if (rc.circuit.a == port || rc.circuit.b == port) return &rc;
  }
  return nullptr;
}

const PortRef* Topology::peer_of(const PortRef& port) const {
  const auto* rc = circuit_of(port);
  if (rc == nullptr) return nullptr;
  return rc->circuit.a == port ? &rc->circuit.b : &rc->circuit.a;
}

Result<void> resolve_topology(Topology& topology, const Inventory& inventory) {
  topology.resolved.clear();
  topology.per_switch.clear();
  if (!topology.region.empty() && !inventory.has_region(topology.region)) {
    std::string where = topology.file.empty() ? std::string("topology") : topology.file;
    if (topology.line > 0) where += fmt::format(":{}", topology.line);
    return fail(Errc::invalid_argument,
                fmt::format("{}: topology '{}': region '{}' is no OCS switch's region in the inventory (known: {})", where,
                            topology.name, topology.region, fmt::join(inventory.regions(), ", ")),
                "region");
  }
  std::map<PortRef, const Circuit*> used;
  // Ports the inventory puts on a switch without its map: gathered over every circuit, so the one
  // error names them all.
  std::vector<PortRef> unmapped;
  for (const auto& circuit : topology.circuits) {
    if (circuit.a == circuit.b) return circuit_error(topology, circuit, "joins a port to itself");
    const HostPort* ends[2] = {nullptr, nullptr};
    const PortRef* refs[2] = {&circuit.a, &circuit.b};
    for (int e = 0; e < 2; ++e) {
      auto port = inventory.find_port(*refs[e]);
      if (!port) return circuit_error(topology, circuit, port.error().message);
      if (!(*port)->ocs) {
        return circuit_error(topology, circuit,
                             fmt::format("{} is not cabled to an OCS{}", refs[e]->str(), (*port)->eps ? " (it is an electrical-switch port)" : ""));
      }
      auto [it, inserted] = used.try_emplace(*refs[e], &circuit);
      if (!inserted) {
        return circuit_error(topology, circuit,
                             fmt::format("port {} is used twice: it is already in circuit {} (line {})", refs[e]->str(), it->second->str(), it->second->line));
      }
      ends[e] = *port;
    }
    const auto& ca = *ends[0]->ocs;
    const auto& cb = *ends[1]->ocs;
    if (ca.switch_name != cb.switch_name) {
      return circuit_error(topology, circuit,
                           fmt::format("the ports are on different switches: {} on {}, {} on {}", circuit.a.str(), ca.switch_name, circuit.b.str(), cb.switch_name));
    }
    if (!topology.region.empty()) {
      const Switch* sw = inventory.find_switch(ca.switch_name);
      if (sw == nullptr || sw->region != topology.region) {
        return circuit_error(topology, circuit,
                             fmt::format("switch {} is in region {}, not the topology's region {}", ca.switch_name,
                                         sw == nullptr ? std::string("(none)") : sw->region, topology.region));
      }
    }
    if (!ca.mapped()) unmapped.push_back(circuit.a);
    if (!cb.mapped()) unmapped.push_back(circuit.b);
    if (!ca.mapped() || !cb.mapped()) continue;
    if (ca.duplex_port() != cb.duplex_port()) {
      return circuit_error(topology, circuit,
                           fmt::format("{} is cabled {} but {} {}: both ends must be cabled the same way", circuit.a.str(),
                                       ca.duplex_port() ? "to one port" : "tx/rx", circuit.b.str(), ca.duplex_port() ? "tx/rx" : "to one port"));
    }
    ResolvedCircuit rc{circuit, ca.switch_name, {}};
    if (ca.duplex_port()) {
      rc.cross_connects.push_back(ocs::CrossConnect{*ca.port, *cb.port, true});
    } else {
      rc.cross_connects.push_back(ocs::CrossConnect{*ca.tx, *cb.rx, false});
      rc.cross_connects.push_back(ocs::CrossConnect{*cb.tx, *ca.rx, false});
    }
    auto& on_switch = topology.per_switch[rc.switch_name];
    on_switch.insert(on_switch.end(), rc.cross_connects.begin(), rc.cross_connects.end());
    topology.resolved.push_back(std::move(rc));
  }
  if (!unmapped.empty()) {
    topology.resolved.clear();
    topology.per_switch.clear();
    std::string where = topology.file.empty() ? std::string("topology") : topology.file;
    if (topology.line > 0) where += fmt::format(":{}", topology.line);
    return std::unexpected(unmapped_cabling_error(fmt::format("{}: topology '{}'", where, topology.name), inventory, unmapped));
  }
  return {};
}

const Topology* TopologySet::find(std::string_view name) const {
  for (const auto& topology : topologies_) {
    if (topology.name == name) return &topology;
  }
  return nullptr;
}

std::vector<std::string> TopologySet::names() const {
  std::vector<std::string> out;
  for (const auto& topology : topologies_) out.push_back(topology.name);
  return out;
}

Result<void> TopologySet::add(Topology topology) {
  if (const auto* other = find(topology.name)) {
    return fail(Errc::conflict,
                fmt::format("{}:{}: topology '{}' is already defined at {}:{}", topology.file, topology.line, topology.name, other->file, other->line),
                "name");
  }
  topologies_.push_back(std::move(topology));
  return {};
}

Result<std::vector<Topology>> parse_topology_text(std::string_view yaml_text, const std::string& display_name, const Inventory& inventory) {
  const Source src{display_name};
  auto root = yamlx::load(yaml_text, src);
  if (!root) return std::unexpected(root.error());
  if (!root->IsDefined() || root->IsNull()) return error_at(src, *root, "", "the file is empty");
  if (auto ok = yamlx::expect_map(*root, src, ""); !ok) return std::unexpected(ok.error());
  std::vector<Topology> out;
  const YAML::Node& top = *root;
  if (top["topologies"]) {
    // Several topologies in one file.
    if (auto ok = yamlx::only_keys(top, src, "", {"version", "topologies"}); !ok) return std::unexpected(ok.error());
    const auto list = top["topologies"];
    if (auto ok = yamlx::expect_seq(list, src, "topologies"); !ok) return std::unexpected(ok.error());
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto topologies = read_entry(list[i], src, yamlx::index("topologies", i), false, inventory);
      if (!topologies) return std::unexpected(topologies.error());
      for (auto& t : *topologies) out.push_back(std::move(t));
    }
  } else {
    // One topology, its keys at the top (plus an optional version).
    auto topologies = read_entry(top, src, "", true, inventory);
    if (!topologies) return std::unexpected(topologies.error());
    for (auto& t : *topologies) out.push_back(std::move(t));
  }
  if (top["version"]) {
    auto version = yamlx::integer(top["version"], src, "version");
    if (!version) return std::unexpected(version.error());
    if (*version != 1) return error_at(src, top["version"], "version", fmt::format("version {} is not known (this reader knows 1)", *version));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (out[i].name == out[j].name)
        return yamlx::error_at_line(src, out[i].line, "name", fmt::format("topology '{}' is already defined at line {}", out[i].name, out[j].line));
    }
    if (auto ok = resolve_topology(out[i], inventory); !ok) return std::unexpected(ok.error());
  }
  return out;
}

Result<std::vector<Topology>> read_topology_file(const std::string& path, const Inventory& inventory) {
  auto text = yamlx::read_file(path);
  if (!text) return std::unexpected(text.error().context("topology file"));
  return parse_topology_text(*text, path, inventory);
}

Result<TopologySet> read_topologies(const std::vector<std::string>& paths, const Inventory& inventory) {
  TopologySet set;
  for (const auto& path : paths) {
    auto topologies = read_topology_file(path, inventory);
    if (!topologies) return std::unexpected(topologies.error());
    for (auto& topology : *topologies) {
      if (auto ok = set.add(std::move(topology)); !ok) return std::unexpected(ok.error());
    }
  }
  return set;
}

}  // namespace mixnet::coord
