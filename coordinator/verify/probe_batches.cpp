#include "coordinator/verify/probe_batches.hpp"

#include <algorithm>

namespace mixnet::coord {

ProbeBatches::ProbeBatches(std::size_t first, std::size_t most)
    : size_(std::clamp<std::size_t>(first, 1, std::max<std::size_t>(most, 1))), most_(std::max<std::size_t>(most, 1)) {}

std::vector<std::size_t> ProbeBatches::next(const std::vector<bool>& pending) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < pending.size() && out.size() < size_; ++i) {
    if (pending[i]) out.push_back(i);
  }
  return out;
}

void ProbeBatches::after_round(bool all_heard) {
  size_ = all_heard ? std::min(size_ * 2, most_) : std::max<std::size_t>(size_ / 2, 1);
}

}  // namespace mixnet::coord
