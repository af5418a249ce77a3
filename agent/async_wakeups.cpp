#include "agent/async_wakeups.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mixnet::agent {

namespace asio = boost::asio;

asio::awaitable<bool> AsyncWakeups::wait_for(std::function<bool()> ready, std::chrono::milliseconds wait) {
  if (ready() || wait.count() <= 0) co_return ready();

  asio::steady_timer timer(co_await asio::this_coro::executor, wait);
  const std::uint64_t id = next_++;
  wakers_->emplace(id, [&timer] { timer.cancel(); });
  struct Unregister {
    std::shared_ptr<Wakers> wakers;
    std::uint64_t id;
    ~Unregister() { wakers->erase(id); }
  } unregister{wakers_, id};

  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ready()) co_return true;
    if (!ec || std::chrono::steady_clock::now() >= deadline) co_return false;  // the bound passed
    timer.expires_at(deadline);  // woken for someone else: wait out the rest
  }
}

void AsyncWakeups::wake_all() {
  // Cancelling a timer never runs its handler inline, so no waiter unregisters during this loop.
  for (auto& [id, wake] : *wakers_) wake();
}

}  // namespace mixnet::agent
