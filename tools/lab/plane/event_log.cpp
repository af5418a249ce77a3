#include "tools/lab/plane/event_log.hpp"

#include <algorithm>

namespace mixnet::lab {

const char* to_string(EndEventKind kind) {
  switch (kind) {
    case EndEventKind::light_on: return "light_on";
    case EndEventKind::light_off: return "light_off";
    case EndEventKind::link_up: return "link_up";
    case EndEventKind::link_down: return "link_down";
  }
  return "unknown";
}

nlohmann::json to_json(const EndEvent& e) {
  nlohmann::json j{{"seq", e.seq},
                   {"end", e.end},
                   {"kind", to_string(e.kind)},
                   {"time_ns", e.time_ns},
                   {"change_id", e.change_id}};
  if (e.training_ms) j["training_ms"] = *e.training_ms;
  return j;
}

std::uint64_t EventLog::add(EndEvent e) {
  e.seq = next_seq_++;
  events_.push_back(std::move(e));
  while (events_.size() > capacity_) events_.pop_front();
  return events_.back().seq;
}

std::vector<EndEvent> EventLog::since(std::uint64_t after, std::size_t limit) const {
  std::vector<EndEvent> out;
  auto it = std::upper_bound(events_.begin(), events_.end(), after,
                             [](std::uint64_t seq, const EndEvent& e) { return seq < e.seq; });
  for (; it != events_.end() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

}  // namespace mixnet::lab
