#pragma once
// Helpers for the namespace tests: wait for a condition or an fd with a deadline.
#include <poll.h>

#include <chrono>
#include <thread>

namespace mixnet::testing {

// True once pred() holds, false when the deadline passes first. For test set-up only (e.g. the
// kernel's linkwatch settling oper_state); the product waits on events, never like this.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Blocks until fd is readable or the timeout passes.
inline bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 && (p.revents & POLLIN) != 0;
}

}  // namespace mixnet::testing
