#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "agent/event_journal.hpp"

using namespace mixnet;
using namespace mixnet::agent;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

wire::LinkEvent event(const std::string& kind, const std::string& port = "veth0") {
  return wire::LinkEvent{.time_ns = 1, .kind = kind, .port = port, .source = "netlink"};
}

// Runs one long-poll read on an io_context, optionally appending an event after `append_after`;
// returns the page and how long the read took.
struct LongPoll {
  std::optional<Result<wire::EventsPage>> page;
  std::chrono::steady_clock::duration took{};
};

LongPoll long_poll(EventJournal& j, std::uint64_t after, std::chrono::milliseconds wait,
                   std::optional<std::chrono::milliseconds> append_after) {
  asio::io_context io;
  LongPoll out;
  const auto start = std::chrono::steady_clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        out.page = co_await j.wait_read(after, 100, wait);
        out.took = std::chrono::steady_clock::now() - start;
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  asio::steady_timer timer(io);
  if (append_after) {
    timer.expires_after(*append_after);
    timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) j.append(event("link_up"));
    });
  }
  io.run();
  return out;
}

}  // namespace

TEST_CASE("journal assigns increasing sequence numbers", "[agent][journal]") {
  EventJournal j(8, "test-1");
  CHECK(j.last_seq() == 0);
  auto empty = j.read(0, 100);
  REQUIRE(empty);
  CHECK(empty->events.empty());
  CHECK(empty->first_seq == 1);
  CHECK(empty->last_seq == 0);
  CHECK(empty->next_after == 0);
  CHECK(empty->missed == 0);
  CHECK(empty->instance == "test-1");

  CHECK(j.append(event("link_down")) == 1);
  CHECK(j.append(event("link_up")) == 2);
  CHECK(j.append(event("link_down")) == 3);
  auto all = j.read(0, 100);
  REQUIRE(all);
  REQUIRE(all->events.size() == 3);
  CHECK(all->events[0].seq == 1);
  CHECK(all->events[2].seq == 3);
  CHECK(all->next_after == 3);
  CHECK(all->first_seq == 1);
  CHECK(all->last_seq == 3);

  auto tail = j.read(2, 100);
  REQUIRE(tail);
  REQUIRE(tail->events.size() == 1);
  CHECK(tail->events[0].kind == "link_down");
  CHECK(tail->events[0].seq == 3);

  auto none = j.read(3, 100);
  REQUIRE(none);
  CHECK(none->events.empty());
  CHECK(none->next_after == 3);

  auto limited = j.read(0, 2);
  REQUIRE(limited);
  CHECK(limited->events.size() == 2);
  CHECK(limited->next_after == 2);

  CHECK(j.counts_by_kind().at("link_down") == 2);
  CHECK(j.counts_by_kind().at("link_up") == 1);
}

TEST_CASE("journal is bounded and tells a slow reader what it missed", "[agent][journal]") {
  EventJournal j(4, "test-2");
  for (int i = 0; i < 10; ++i) j.append(event(i % 2 ? "link_up" : "link_down"));
  CHECK(j.size() == 4);
  CHECK(j.capacity() == 4);
  CHECK(j.dropped() == 6);
  CHECK(j.last_seq() == 10);

  auto page = j.read(0, 100);
  REQUIRE(page);
  CHECK(page->missed == 6);  // 1..6 are gone
  CHECK(page->first_seq == 7);
  REQUIRE(page->events.size() == 4);
  CHECK(page->events.front().seq == 7);
  CHECK(page->events.back().seq == 10);

  auto partly = j.read(5, 100);
  REQUIRE(partly);
  CHECK(partly->missed == 1);  // only 6
  CHECK(partly->events.front().seq == 7);

  auto current = j.read(6, 100);
  REQUIRE(current);
  CHECK(current->missed == 0);
  CHECK(current->events.size() == 4);

  auto paged = j.read(0, 1);
  REQUIRE(paged);
  CHECK(paged->missed == 6);
  CHECK(paged->next_after == 7);
  auto next = j.read(paged->next_after, 100);
  REQUIRE(next);
  CHECK(next->missed == 0);
  CHECK(next->events.front().seq == 8);
}

TEST_CASE("reading past the newest sequence number is an error naming after", "[agent][journal]") {
  EventJournal j(4, "test-3");
  j.append(event("link_up"));
  auto r = j.read(2, 10);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().field == "after");
  CHECK(r.error().code == Errc::invalid_argument);
  // A 5 s wait: an error answered at once returns long before it, even on a loaded machine.
  auto lp = long_poll(j, 5, 5000ms, std::nullopt);
  REQUIRE(lp.page.has_value());
  CHECK_FALSE(lp.page->has_value());
  CHECK(lp.took < 2500ms);  // did not wait for the bound
}

TEST_CASE("long-poll is woken by an append at once", "[agent][journal]") {
  EventJournal j(16, "test-4");
  j.append(event("link_down"));
  auto lp = long_poll(j, 1, 5000ms, 30ms);
  REQUIRE(lp.page.has_value());
  REQUIRE(lp.page->has_value());
  const auto& page = **lp.page;
  REQUIRE(page.events.size() == 1);
  CHECK(page.events[0].seq == 2);
  CHECK(page.events[0].kind == "link_up");
  CHECK_FALSE(page.timed_out);
  CHECK(lp.took >= 25ms);
  CHECK(lp.took < 1000ms);  // far below the 5 s wait bound
  CHECK(j.waiting() == 0);
}

TEST_CASE("long-poll times out at its bound with nothing new", "[agent][journal]") {
  EventJournal j(16, "test-5");
  j.append(event("link_down"));
  auto lp = long_poll(j, 1, 120ms, std::nullopt);
  REQUIRE(lp.page.has_value());
  REQUIRE(lp.page->has_value());
  CHECK((*lp.page)->events.empty());
  CHECK((*lp.page)->timed_out);
  CHECK((*lp.page)->next_after == 1);
  CHECK(lp.took >= 115ms);
  CHECK(lp.took < 2000ms);
  CHECK(j.waiting() == 0);
}

TEST_CASE("long-poll answers at once when events are already there", "[agent][journal]") {
  EventJournal j(16, "test-6");
  j.append(event("link_down"));
  j.append(event("link_up"));
  auto lp = long_poll(j, 0, 5000ms, std::nullopt);
  REQUIRE(lp.page.has_value());
  REQUIRE(lp.page->has_value());
  CHECK((*lp.page)->events.size() == 2);
  CHECK(lp.took < 2500ms);  // did not wait for the 5 s bound

  // wait_ms=0 never waits.
  auto now = long_poll(j, 2, 0ms, std::nullopt);
  REQUIRE(now.page->has_value());
  CHECK((*now.page)->events.empty());
  CHECK_FALSE((*now.page)->timed_out);  // answered, not parked until a deadline
}

TEST_CASE("many long-polls are all woken by one append", "[agent][journal]") {
  EventJournal j(16, "test-7");
  asio::io_context io;
  int woken = 0;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto page = co_await j.wait_read(0, 10, 5000ms);
          if (page && page->events.size() == 1) ++woken;
        },
        [](std::exception_ptr e) {
          if (e) std::rethrow_exception(e);
        });
  }
  asio::steady_timer timer(io, 20ms);
  std::size_t waiting_before = 0;
  timer.async_wait([&](boost::system::error_code) {
    waiting_before = j.waiting();
    j.append(event("link_up"));
  });
  const auto start = std::chrono::steady_clock::now();
  io.run();
  CHECK(waiting_before == 5);
  CHECK(woken == 5);
  CHECK(std::chrono::steady_clock::now() - start < 1000ms);
  CHECK(j.waiting() == 0);
}

TEST_CASE("a long-poll abandoned at shutdown outlives its journal safely", "[agent][journal]") {
  // The agent tears down the journal before the io_context, which then destroys the parked reader.
  auto io = std::make_unique<asio::io_context>();
  auto j = std::make_unique<EventJournal>(16, "test-8");
  bool finished = false;
  asio::co_spawn(
      *io,
      [&]() -> asio::awaitable<void> {
        (void)co_await j->wait_read(0, 10, 30'000ms);
        finished = true;
      },
      asio::detached);
  io->run_for(20ms);
  CHECK(j->waiting() == 1);
  j.reset();
  io.reset();  // destroys the suspended reader; must not touch the destroyed journal
  CHECK_FALSE(finished);
}
