#include "tests/deploy/kubernetes_manifest.hpp"

#include <catch2/catch.hpp>

#include <regex>

namespace mixnet::testing {

std::vector<YAML::Node> load_manifest_documents(const std::string& file) {
  std::vector<YAML::Node> docs;
  for (const auto& doc : YAML::LoadAllFromFile(std::string(MIXNET_SOURCE_DIR) + "/deploy/kubernetes/" + file)) {
    if (doc.IsNull()) continue;  // an empty document (a trailing ---) is no object
    docs.push_back(doc);
  }
  return docs;
}

YAML::Node only_manifest_object(const std::vector<YAML::Node>& docs, const std::string& kind, const std::string& name) {
  std::vector<YAML::Node> found;
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>("") != kind) continue;
    if (!name.empty() && d["metadata"]["name"].as<std::string>("") != name) continue;
    found.push_back(d);
  }
  INFO(kind << " " << name);
  REQUIRE(found.size() == 1);
  return found.front();
}

long kubernetes_integer(const YAML::Node& node, const std::string& what) {
  INFO(what);
  REQUIRE(node.IsScalar());
  const std::string text = node.Scalar();
  if (std::regex_match(text, std::regex("0[0-7]+"))) return std::stol(text, nullptr, 8);
  REQUIRE(std::regex_match(text, std::regex("0|[1-9][0-9]*")));
  return std::stol(text);
}

std::vector<std::string> string_list(const YAML::Node& seq) {
  std::vector<std::string> out;
  if (!seq) return out;
  REQUIRE(seq.IsSequence());
  for (const auto& s : seq) out.push_back(s.as<std::string>());
  return out;
}

std::string expand_kubernetes_references(const std::string& text, const std::map<std::string, std::string>& env) {
  static const std::regex reference(R"(\$\(([A-Za-z_][A-Za-z0-9_]*)\))");
  std::string out;
  auto from = text.cbegin();
  for (auto it = std::sregex_iterator(text.begin(), text.end(), reference); it != std::sregex_iterator(); ++it) {
    out.append(from, (*it)[0].first);
    const auto known = env.find((*it)[1].str());
    out += known != env.end() ? known->second : (*it)[0].str();
    from = (*it)[0].second;
  }
  out.append(from, text.cend());
  return out;
}

}  // namespace mixnet::testing
