#include "coordinator/engine/registry.hpp"

namespace mixnet::coord {

void ModuleRegistry::add(std::unique_ptr<Module> module) {
  std::string key(module->name());
  modules_[key] = std::move(module);
}

Module* ModuleRegistry::find(std::string_view name) const {
  const auto it = modules_.find(name);
  return it == modules_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ModuleRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, module] : modules_) out.push_back(name);
  return out;
}

bool is_templated(const nlohmann::json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>().find("{{") != std::string::npos;
  if (value.is_array() || value.is_object()) {
    for (const auto& element : value) {
      if (is_templated(element)) return true;
    }
  }
  return false;
}

}  // namespace mixnet::coord
