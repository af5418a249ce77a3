#pragma once
// The link-event journal: a bounded ring of events with increasing sequence numbers, read by
// "after=SEQ". A reader that asks for events the ring already dropped is told how many it missed.
// A long-poll read waits on AsyncWakeups, which append() wakes, so a waiting client is answered the
// moment an event is journaled and nothing ticks while the agent is idle.
#include <utility>  // Boost 1.74 + GCC 12: <utility> must precede Asio's awaitable headers.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "agent/async_wakeups.hpp"
#include "common/result.hpp"
#include "common/wire/agent_api.hpp"

namespace mixnet::agent {

class EventJournal {
 public:
  // instance names this journal's lifetime (sequence numbers restart with a new agent).
  EventJournal(std::size_t capacity, std::string instance);

  // Assigns the next sequence number, stores the event (dropping the oldest when full) and wakes
  // every waiting reader. Returns the sequence number.
  std::uint64_t append(wire::LinkEvent event);

  // Events with seq > after, at most limit of them. after beyond the newest sequence number is an
  // error naming "after" (the reader is talking about another agent instance).
  [[nodiscard]] Result<wire::EventsPage> read(std::uint64_t after, std::size_t limit) const;

  // As read(), but when nothing is newer than after, waits up to wait for an append.
  boost::asio::awaitable<Result<wire::EventsPage>> wait_read(std::uint64_t after, std::size_t limit,
                                                             std::chrono::milliseconds wait);

  [[nodiscard]] std::size_t size() const { return ring_.size(); }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  [[nodiscard]] std::uint64_t last_seq() const { return last_seq_; }
  [[nodiscard]] std::uint64_t dropped() const { return dropped_; }
  [[nodiscard]] std::size_t waiting() const { return wakeups_.waiting(); }
  [[nodiscard]] const std::map<std::string, std::uint64_t>& counts_by_kind() const { return by_kind_; }
  [[nodiscard]] const std::string& instance() const { return instance_; }

 private:
  std::size_t capacity_;
  std::string instance_;
  std::deque<wire::LinkEvent> ring_;
  std::uint64_t last_seq_ = 0;
  std::uint64_t dropped_ = 0;
  std::map<std::string, std::uint64_t> by_kind_;
  AsyncWakeups wakeups_;
};

}  // namespace mixnet::agent
