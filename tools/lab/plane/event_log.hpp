#pragma once
// The plane's ground truth: every change of an end, stamped with CLOCK_REALTIME ns taken right
// after the kernel acknowledged it. Bounded: the oldest events are dropped past the capacity
// (sequence numbers keep counting, so a reader sees the gap).
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixnet::lab {

enum class EndEventKind { light_on, light_off, link_up, link_down };
const char* to_string(EndEventKind kind);

struct EndEvent {
  std::uint64_t seq = 0;
  std::string end;
  EndEventKind kind = EndEventKind::light_on;
  std::int64_t time_ns = 0;
  std::uint64_t change_id = 0;               // the emulator change that caused it; 0 for faults
  std::optional<double> training_ms;         // link_up after training: the drawn delay
};

nlohmann::json to_json(const EndEvent& e);

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
