#pragma once
// Long-poll waiting on the agent's io_context: a reader waits (with a bound) until its condition
// holds, and whoever changes what readers wait for calls wake_all(). Each waiter sleeps on its own
// Asio timer, which wake_all() cancels, so a reader is answered the moment its condition holds
// and nothing ticks while nobody changes anything. Used by the event journal (a new event) and by
// the traffic routes (a run finished). Every call on the io_context's thread; from another thread
// post wake_all() there.
#include <utility>  // Boost 1.74 + GCC 12: <utility> must precede Asio's awaitable headers.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace mixnet::agent {

class AsyncWakeups {
 public:
  // Returns at once when ready() holds; otherwise waits until a wake_all() after which ready()
  // holds, or until `wait` passes. Returns ready()'s last answer.
  boost::asio::awaitable<bool> wait_for(std::function<bool()> ready, std::chrono::milliseconds wait);

  // Wakes every waiter (each then asks its ready() again).
  void wake_all();

  [[nodiscard]] std::size_t waiting() const { return wakers_->size(); }

 private:
  std::uint64_t next_ = 0;
  // Shared with each waiter, so a waiter's frame destroyed after this object (an io_context torn
  // down with a long-poll in flight) still unregisters from live memory.
  using Wakers = std::map<std::uint64_t, std::function<void()>>;
  std::shared_ptr<Wakers> wakers_ = std::make_shared<Wakers>();
};

}  // namespace mixnet::agent
