#pragma once
// One consumer's place in every agent's link-event journal (docs/agent-api.md, GET /v1/events):
// per host, the journal's instance and the sequence number after which events are new to it.
// Each consumer keeps its own cursor (the pool's link tables one, measure.reconfig another), so
// one reading never skips events for the other. What a page means for a cursor (the agent
// restarted, the journal dropped events we had not read) is decided here, once, for every
// consumer; journal_reader.hpp does the reading.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/wire/agent_api.hpp"

namespace mixnet::coord {

// What a cursor does when an agent's journal started again (a new instance: the agent restarted).
enum class OnRestart {
  start_over,   // take the new journal from its beginning (the link tables: state is re-read)
  fail,         // an error: the events of the old life are lost to a measurement
};

// What one page did to a cursor.
struct JournalStep {
  std::vector<wire::LinkEvent> events;   // new to this cursor, oldest first
  bool restarted = false;                // start_over only: the cursor went back to the new journal's start
  std::uint64_t missed = 0;              // events the bounded journal dropped before this cursor read them
  bool more = false;                     // the journal holds more than this page: read again at once
};

class JournalCursor {
 public:
  explicit JournalCursor(OnRestart on_restart) : on_restart_(on_restart) {}

  // The request for `host`'s next page: long-polls up to wait_ms (0: answers at once).
  [[nodiscard]] std::string target(const std::string& host, std::int64_t wait_ms) const;
  // The sequence number after which `host`'s events are new to us (0: from the oldest held).
  [[nodiscard]] std::uint64_t after(const std::string& host) const;
  // Once set, events dropped before we read them are an error rather than a count (the
  // measurement marked its start: from there on, a gap is a hole in what it measures).
  void set_gaps_fatal(bool fatal) { gaps_fatal_ = fatal; }

  // Takes the agent's answer to a read sent from `asked_after`: a page, or the error the read got.
  // Errors: the read's own error; with OnRestart::fail, a restarted agent; with gaps fatal, a gap.
  Result<JournalStep> take(const std::string& host, const Result<wire::EventsPage>& answer, std::uint64_t asked_after);

  // The last page taken for `host`, events left out (its instance, last_seq, missed).
  [[nodiscard]] std::optional<wire::EventsPage> last_page(const std::string& host) const;

 private:
  struct Place {
    std::string instance;   // the journal the position belongs to ("": none yet)
    std::uint64_t after = 0;
    std::optional<wire::EventsPage> last_page;
  };
  OnRestart on_restart_;
  bool gaps_fatal_ = false;
  std::map<std::string, Place> places_;
};

}  // namespace mixnet::coord
