#include "coordinator/verify/hello_grace.hpp"

#include <algorithm>

namespace mixnet::coord {

void HelloGrace::confirmed_after(std::int64_t latency_ns) {
  recent_.push_back(std::max<std::int64_t>(latency_ns, 0));
  if (recent_.size() > kWindow) recent_.pop_front();
}

std::int64_t HelloGrace::grace_ns() const {
  if (recent_.empty()) return kFloorNs;
  const std::int64_t slowest = *std::max_element(recent_.begin(), recent_.end());
  return std::clamp<std::int64_t>(slowest + slowest / 2, kFloorNs, kCeilingNs);
}

}  // namespace mixnet::coord
