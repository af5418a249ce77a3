#include "coordinator/engine/batched_recorder.hpp"

#include "common/clock.hpp"

namespace mixnet::coord {

BatchedRecorder::BatchedRecorder(ResultSink& sink, std::size_t max_held, std::chrono::milliseconds max_age)
    : sink_(sink), max_held_(max_held == 0 ? 1 : max_held), max_age_ns_(max_age.count() * kNsPerMs) {}

BatchedRecorder::~BatchedRecorder() { flush(); }

void BatchedRecorder::add(ItemResult item) {
  const std::int64_t now = monotonic_ns();
  if (held_.empty()) oldest_ns_ = now;
  held_.push_back(std::move(item));
  if (held_.size() >= max_held_ || now - oldest_ns_ >= max_age_ns_) flush();
}

void BatchedRecorder::flush() {
  if (held_.empty()) return;
  sink_.record_all(held_);
  held_.clear();
}

}  // namespace mixnet::coord
