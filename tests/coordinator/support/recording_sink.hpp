#pragma once
// A ResultSink that keeps every item a module records (notes are dropped), for modules' unit
// tests that call a module's run() directly.
#include <string_view>
#include <vector>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord::testing {

struct RecordingSink final : ResultSink {
  std::vector<ItemResult> items;
  std::vector<std::size_t> batches;   // the size of each record() (1) or record_all() call, in order
  void record(const ItemResult& item) override {
    items.push_back(item);
    batches.push_back(1);
  }
  void record_all(const std::vector<ItemResult>& all) override {
    items.insert(items.end(), all.begin(), all.end());
    batches.push_back(all.size());
  }
  void note(std::string_view) override {}
};

}  // namespace mixnet::coord::testing
