#include "coordinator/topogen/topology_text.hpp"

#include <yaml-cpp/yaml.h>

namespace mixnet::coord::topogen {

std::string topology_file_text(const std::vector<Topology>& topologies, const std::string& comment) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "version" << YAML::Value << 1;
  out << YAML::Key << "topologies" << YAML::Value << YAML::BeginSeq;
  for (const auto& t : topologies) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << t.name;
    if (!t.description.empty()) out << YAML::Key << "description" << YAML::Value << t.description;
    if (!t.region.empty()) out << YAML::Key << "region" << YAML::Value << t.region;
    out << YAML::Key << "circuits" << YAML::Value;
    if (t.circuits.empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
    } else {
      out << YAML::BeginSeq;
      for (const auto& c : t.circuits) out << c.str();
      out << YAML::EndSeq;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  std::string text;
  std::size_t start = 0;
  while (start < comment.size()) {
    const auto eol = comment.find('\n', start);
    text += "# " + comment.substr(start, eol == std::string::npos ? std::string::npos : eol - start) + "\n";
    if (eol == std::string::npos) break;
    start = eol + 1;
  }
  return text + out.c_str() + "\n";
}

}  // namespace mixnet::coord::topogen
