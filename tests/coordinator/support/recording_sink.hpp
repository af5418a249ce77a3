#pragma once
// A ResultSink that keeps every item a module records (notes are dropped), for modules' unit
// tests that call a module's run() directly.
#include <string_view>
#include <vector>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord::testing {

struct RecordingSink final : ResultSink {
  std::vector<ItemResult> items;
  void record(const ItemResult& item) override { items.push_back(item); }
  void note(std::string_view) override {}
};

}  // namespace mixnet::coord::testing
