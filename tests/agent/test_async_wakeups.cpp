#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "agent/async_wakeups.hpp"

using namespace mixnet::agent;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct WaitOutcome {
  std::optional<bool> ready;
  std::chrono::steady_clock::duration took{};
  std::size_t waiting_during = 0;
};

// One waiter for `flag` (bounded by `wait`); at each of `wakes` (after its delay) the flag is set
// when the entry says so, then wake_all() is called.
WaitOutcome wait_on(AsyncWakeups& w, bool& flag, std::chrono::milliseconds wait,
                    const std::vector<std::pair<std::chrono::milliseconds, bool>>& wakes) {
  asio::io_context io;
  WaitOutcome out;
  const auto start = std::chrono::steady_clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        out.ready = co_await w.wait_for([&] { return flag; }, wait);
        out.took = std::chrono::steady_clock::now() - start;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  for (const auto& [after, set] : wakes) {
    timers.push_back(std::make_unique<asio::steady_timer>(io, after));
    timers.back()->async_wait([&, set = set](boost::system::error_code ec) {
      if (ec) return;
      out.waiting_during = std::max(out.waiting_during, w.waiting());
      if (set) flag = true;
      w.wake_all();
    });
  }
  io.run();
  return out;
}

}  // namespace

TEST_CASE("a waiter whose condition already holds returns at once", "[agent][wakeups]") {
  AsyncWakeups w;
  bool flag = true;
  const auto out = wait_on(w, flag, 30'000ms, {});
  REQUIRE(out.ready);
  CHECK(*out.ready);
  CHECK(out.took < 10s);
  CHECK(w.waiting() == 0);
}

TEST_CASE("a waiter is answered by the wake that makes its condition true, not by the bound", "[agent][wakeups]") {
  AsyncWakeups w;
  bool flag = false;
  // The first wake is for someone else (the flag stays false): the waiter goes back to sleep.
  const auto out = wait_on(w, flag, 30'000ms, {{50ms, false}, {150ms, true}});
  REQUIRE(out.ready);
  CHECK(*out.ready);
  CHECK(out.took >= 150ms);
  CHECK(out.took < 20s);
  CHECK(out.waiting_during == 1);
  CHECK(w.waiting() == 0);  // unregistered on the way out
}

TEST_CASE("a waiter whose condition never holds returns false at its bound", "[agent][wakeups]") {
  AsyncWakeups w;
  bool flag = false;
  const auto out = wait_on(w, flag, 200ms, {{50ms, false}});
  REQUIRE(out.ready);
  CHECK_FALSE(*out.ready);
  CHECK(out.took >= 200ms);
  CHECK(w.waiting() == 0);
}
