#pragma once
// Reading the agents' link-event journals, for any consumer, each through its own JournalCursor
// (journal_cursor.hpp):
//   - catch_up: every host's journal read from the cursor without waiting, page after page,
//     until caught up; AgentPool's link tables and measure.reconfig both read this way;
//   - JournalReader: a measurement's own cursor (a restarted agent or a gap after its mark is an
//     error), with mark / read / watch_until.
// AgentPool::watch_events (the link verifier's long-polls) takes its pages through the pool's
// cursor too.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/wire/agent_api.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/journal_cursor.hpp"

namespace mixnet::coord {

// A reply to GET /v1/events as a page; a body that is not one is an error naming the host.
Result<wire::EventsPage> decode_events_page(const JsonReply& reply);

// One host's outcome of catch_up: every event the cursor took, oldest first (pages from before a
// restart included), or what stopped the reading.
struct JournalCatchUp {
  std::string host;
  Result<std::vector<wire::LinkEvent>> events;
  std::int64_t sent_ns = 0;   // CLOCK_REALTIME: the first read was sent (0: never)
  std::int64_t done_ns = 0;   // CLOCK_REALTIME: the last reply arrived, or the reading failed
};

// Called with each page as the cursor took it (a restart included), before the next read.
using OnJournalStep = std::function<void(const std::string& host, const JournalStep& step)>;

// Reads every host's journal from the cursor without waiting, page after page, until caught up.
// Bounded by the deadline (monotonic_ns()), by a number of pages per host (a journal larger than
// that in one window is not one we can trust anyway) and, with OnRestart::start_over, by a few
// restarts per host. Hosts are read in parallel; one entry per host, in the order given.
std::vector<JournalCatchUp> catch_up(AgentPool& pool, JournalCursor& cursor, const std::vector<std::string>& hosts,
                                     std::int64_t deadline_ns, const OnJournalStep& on_step = {});

// A measurement's reader: its own cursor, so every carrier event of a repetition is seen with its
// agent stamp whatever else reads the journals (links.verify moves the pool's cursor).
class JournalReader {
 public:
  explicit JournalReader(AgentPool& pool) : pool_(pool), cursor_(OnRestart::fail) {}
  using EventsByHost = std::map<std::string, std::vector<wire::LinkEvent>>;

  // Skips everything the journals hold now (the next read() starts after it); from here on, a
  // gap in a journal is an error.
  Result<void> mark(const std::vector<std::string>& hosts, std::int64_t deadline_ns);
  // Every event since the last mark/read, per host, oldest first. A restarted agent (instance
  // changed) is an error: its sequence numbers (and our cursor) mean nothing any more.
  Result<EventsByHost> read(const std::vector<std::string>& hosts, std::int64_t deadline_ns);
  // Reads every host's journal, appending what arrives to `events`, until `done(events)` holds,
  // the deadline passes or `cancel` is set. True when `done` held. poll_every 0: long-polls, each
  // host re-armed as soon as it answers (one request per agent per event); otherwise one plain
  // read per host every poll_every: the agents are then asked at times that have nothing to do
  // with their link events, so answering us never delays their reading of the next one.
  Result<bool> watch_until(const std::vector<std::string>& hosts, std::int64_t deadline_ns, EventsByHost& events,
                           const std::function<bool(const EventsByHost&)>& done, const std::atomic<bool>* cancel,
                           std::chrono::milliseconds poll_every = {});

 private:
  AgentPool& pool_;
  JournalCursor cursor_;
};

}  // namespace mixnet::coord
