#include "tools/lab/plane/event_log.hpp"

#include <algorithm>

namespace mixnet::lab {

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
