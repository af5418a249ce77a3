#pragma once
// Items a module decides one after another in a tight loop (links.verify's verdicts: hundreds in
// a fraction of a second at 768 ports), recorded in batches: one store transaction per batch
// rather than one sync to disk per item, which held the loop up for longer than the links took to
// come up. A batch is recorded when it holds `max_held` items or its oldest is `max_age` old
// (checked as items arrive), the rest at flush() or destruction: a crash loses at most one batch
// of a step that did not finish. Not thread-safe: one thread adds.
#include <chrono>
#include <cstdint>
#include <vector>

#include "coordinator/engine/module.hpp"

namespace mixnet::coord {

class BatchedRecorder {
 public:
  explicit BatchedRecorder(ResultSink& sink, std::size_t max_held = 64,
                           std::chrono::milliseconds max_age = std::chrono::milliseconds(50));
  ~BatchedRecorder();
  BatchedRecorder(const BatchedRecorder&) = delete;
  BatchedRecorder& operator=(const BatchedRecorder&) = delete;

  void add(ItemResult item);
  void flush();

 private:
  ResultSink& sink_;
  std::size_t max_held_;
  std::int64_t max_age_ns_;
  std::vector<ItemResult> held_;
  std::int64_t oldest_ns_ = 0;   // monotonic: when the first held item came
};

}  // namespace mixnet::coord
