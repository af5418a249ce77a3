#pragma once
// What a ChangeSet still has to do, given the switch's current cross-connects. Drivers use it to
// recover from a lost session or request: re-read the switch, then send only what is missing, so
// no change is applied twice. The end state a ChangeSet asks for: every connect pair exists, and
// every disconnected port that no connect pair names is free.
#include <vector>

#include "common/result.hpp"
#include "hwdrivers/ocs/optical_switch.hpp"

namespace mixnet::ocs {

// Errors (Errc::invalid_argument, field "connect" or "disconnect"): an empty port, a port
// connected to itself, a port named by two connect pairs, an empty change set.
Result<void> validate(const ChangeSet& changes);

// `either_way`: a connection a-b also satisfies the pair b-a (any-to-any switches, 2WAY).
bool has_connection(const std::vector<CrossConnect>& current, const CrossConnect& want, bool either_way);

// The part of `wanted` not yet true of `current`:
//  - disconnect: the ports of wanted.disconnect that are still connected, except where that
//    connection is itself one of the wanted pairs (already the end state);
//  - connect: the wanted pairs that do not exist.
ChangeSet remaining(const ChangeSet& wanted, const std::vector<CrossConnect>& current, bool either_way);

// The connections of `current` that touch a port.
std::vector<CrossConnect> connections_of(const std::vector<CrossConnect>& current, const PortId& port);

// How long to keep recovering after lost sessions or requests within one apply(): while each
// attempt finds less left to do than the one before (a slow switch finishing one command per
// try), go on; stop after kMaxStalls attempts in a row without progress, or at a hard cap that
// grows with the change set.
class RecoveryBudget {
 public:
  static constexpr int kMaxStalls = 2;
  explicit RecoveryBudget(const ChangeSet& wanted)
      : cap_(4 + 2 * static_cast<int>(wanted.connect.size() + wanted.disconnect.size())) {}
  bool next() {   // true: make another attempt (and count it)
    if (attempts_ >= cap_ || stalls_ >= kMaxStalls) return false;
    ++attempts_;
    return true;
  }
  void found(const ChangeSet& left) {   // what the attempt's re-read says is still to do
    const auto n = left.connect.size() + left.disconnect.size();
    if (n < last_) stalls_ = 0;
    else ++stalls_;
    last_ = n;
  }
  void failed() { ++stalls_; }           // the attempt could not even re-read the state
  [[nodiscard]] int attempts() const { return attempts_; }

 private:
  int cap_;
  int attempts_ = 0;
  int stalls_ = 0;
  std::size_t last_ = static_cast<std::size_t>(-1);
};

}  // namespace mixnet::ocs
