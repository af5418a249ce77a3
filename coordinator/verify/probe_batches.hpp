#pragma once
// How many senders one round of eps.verify probes at once. Every probe is a broadcast that the
// electrical switch floods to every other port, so N senders make N x (ports - 1) frames to
// deliver: on a switch of 256 ports, one round of every sender is 130 000 frames, more than a
// receive queue holds (the lab's bridge dropped nearly all of them; a real switch's port buffers
// and NIC rings have the same limit, further out). So a round probes only senders that some live
// peer has not heard yet, at most `size()` of them; the size doubles after a round in which every
// sender was heard by all its peers, and halves after one that lost frames (additive decrease
// would be too slow to matter within a step's seconds).
#include <cstddef>
#include <vector>

namespace mixnet::coord {

class ProbeBatches {
 public:
  // first: the size of the first round; most: the largest it may grow to (at least 1 each).
  ProbeBatches(std::size_t first, std::size_t most);

  // The senders of the next round: the first size() indexes whose `pending` is true, in order.
  [[nodiscard]] std::vector<std::size_t> next(const std::vector<bool>& pending) const;
  // After a round: were all its senders heard by every peer?
  void after_round(bool all_heard);
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  std::size_t most_;
};

}  // namespace mixnet::coord
