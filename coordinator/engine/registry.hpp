#pragma once
// Modules by name. coordinator/modules/builtin.cpp fills the registry mixnet-coord uses; tests
// build their own with fakes.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class ModuleRegistry {
 public:
  void add(std::unique_ptr<Module> module);  // replaces a module of the same name
  [[nodiscard]] Module* find(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  std::map<std::string, std::unique_ptr<Module>, std::less<>> modules_;
};

// Every module mixnet-coord has (modules/builtin.cpp lists them).
ModuleRegistry builtin_modules();
// The pools mixnet-coord uses (the agent client and the switch pool).
PoolFactories builtin_pool_factories();

}  // namespace mixnet::coord
