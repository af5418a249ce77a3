#include "agent/event_journal.hpp"

#include <algorithm>

namespace mixnet::agent {

namespace asio = boost::asio;

EventJournal::EventJournal(std::size_t capacity, std::string instance)
    : capacity_(std::max<std::size_t>(capacity, 1)), instance_(std::move(instance)) {}

std::uint64_t EventJournal::append(wire::LinkEvent event) {
  event.seq = ++last_seq_;
  ++by_kind_[event.kind];
  if (ring_.size() == capacity_) {
    ring_.pop_front();
    ++dropped_;
  }
  ring_.push_back(std::move(event));
  wakeups_.wake_all();
  return last_seq_;
}

Result<wire::EventsPage> EventJournal::read(std::uint64_t after, std::size_t limit) const {
  if (after > last_seq_) {
    return fail(Errc::invalid_argument,
                "is beyond the newest sequence number " + std::to_string(last_seq_) + " of agent instance " +
                    instance_ + " (did the agent restart?)",
                "after");
  }
  wire::EventsPage page;
  page.instance = instance_;
  page.last_seq = last_seq_;
  page.first_seq = ring_.empty() ? last_seq_ + 1 : ring_.front().seq;
  if (after + 1 < page.first_seq) page.missed = page.first_seq - 1 - after;
  // Sequence numbers in the ring are contiguous, so the first wanted one is found by arithmetic.
  const std::uint64_t from = std::max(after + 1, page.first_seq);
  for (std::size_t i = static_cast<std::size_t>(from - page.first_seq); i < ring_.size() && page.events.size() < limit;
       ++i) {
    page.events.push_back(ring_[i]);
  }
  page.next_after = page.events.empty() ? std::max(after, page.first_seq - 1) : page.events.back().seq;
  return page;
}

asio::awaitable<Result<wire::EventsPage>> EventJournal::wait_read(std::uint64_t after, std::size_t limit,
                                                                  std::chrono::milliseconds wait) {
  auto page = read(after, limit);
  const auto news = [&] { return !page || !page->events.empty() || page->missed > 0; };
  if (news() || wait.count() <= 0) co_return page;
  const bool woken = co_await wakeups_.wait_for(
      [&] {
        page = read(after, limit);
        return news();
      },
      wait);
  if (!woken) page->timed_out = true;
  co_return page;
}

}  // namespace mixnet::agent
