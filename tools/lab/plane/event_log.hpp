#pragma once
// The plane's ground truth: every change of an end, stamped with CLOCK_REALTIME ns taken right
// after the kernel acknowledged it. Bounded: the oldest events are dropped past the capacity
// (sequence numbers keep counting, so a reader sees the gap).
#include <cstdint>
#include <deque>
#include <vector>

#include "common/wire/ground_truth.hpp"

namespace mixnet::lab {

// An end's event is the ground truth's plane event itself (GET /v1/plane/events writes it as is).
using EndEventKind = wire::PlaneEventKind;
using EndEvent = wire::PlaneEvent;

class EventLog {
 public:
  explicit EventLog(std::size_t capacity = 100'000) : capacity_(capacity) {}
  std::uint64_t add(EndEvent e);   // assigns and returns seq
  [[nodiscard]] std::vector<EndEvent> since(std::uint64_t after, std::size_t limit) const;
  [[nodiscard]] std::uint64_t last_seq() const { return next_seq_ - 1; }

 private:
  std::size_t capacity_;
  std::deque<EndEvent> events_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace mixnet::lab
