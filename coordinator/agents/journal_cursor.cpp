#include "coordinator/agents/journal_cursor.hpp"

#include <algorithm>

namespace mixnet::coord {

namespace {
// Events per page: the agent's own maximum (docs/agent-api.md).
constexpr std::uint64_t kPageLimit = 1000;
}  // namespace

std::string JournalCursor::target(const std::string& host, std::int64_t wait_ms) const {
  return "/v1/events?after=" + std::to_string(after(host)) + "&wait_ms=" + std::to_string(wait_ms) +
         "&limit=" + std::to_string(kPageLimit);
}

std::uint64_t JournalCursor::after(const std::string& host) const {
  auto it = places_.find(host);
  return it == places_.end() ? 0 : it->second.after;
}

std::optional<wire::EventsPage> JournalCursor::last_page(const std::string& host) const {
  auto it = places_.find(host);
  return it == places_.end() ? std::nullopt : it->second.last_page;
}

Result<JournalStep> JournalCursor::take(const std::string& host, const Result<wire::EventsPage>& answer,
                                        std::uint64_t asked_after) {
  Place& place = places_[host];
  JournalStep step;
  if (!answer) {
    // `after` beyond the journal's end: the agent restarted since our position was taken.
    if (on_restart_ == OnRestart::start_over && answer.error().field == "after" && asked_after != 0) {
      place.instance.clear();
      place.after = 0;
      step.restarted = true;
      return step;
    }
    return std::unexpected(answer.error());
  }
  const wire::EventsPage& page = *answer;
  if (!place.instance.empty() && page.instance != place.instance) {
    if (on_restart_ == OnRestart::fail) {
      return fail(Errc::io, host + ": the agent restarted during the measurement (its event journal started again)");
    }
    // A new life of the agent: this page starts after our old position, so its first events are
    // missing. Take nothing from it; the next read starts at the new journal's beginning.
    place.instance = page.instance;
    place.after = 0;
    step.restarted = true;
    return step;
  }
  if (page.missed > 0 && gaps_fatal_) {
    return fail(Errc::io, host + ": the agent's event journal dropped " + std::to_string(page.missed) +
                              " events before we read them");
  }
  place.instance = page.instance;
  place.after = std::max(place.after, page.next_after);
  place.last_page = page;
  place.last_page->events.clear();
  step.events = page.events;
  step.missed = page.missed;
  step.more = !page.events.empty() && page.next_after < page.last_seq;
  return step;
}

}  // namespace mixnet::coord
