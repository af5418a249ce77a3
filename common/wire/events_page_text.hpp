#pragma once
// GET /v1/events answers straight to JSON text. A parked long-poll is answered the moment an event
// is journaled, and building the page as an nlohmann::json tree first (a map node and a string per
// key) cost about 30 us cold, a fifth of the agent's share of a link event (docs/agent-api.md,
// "Measured"). This writes the same bytes nlohmann's dump() of to_json(EventsPage) gives (sorted
// keys, no spaces; tests/common/wire/test_events_page_text.cpp holds the two equal), appending to
// one buffer. Strings that need escaping go through nlohmann, so escaping and its UTF-8 check
// (an invalid sequence throws, as dump() does) stay in one place.
#include <string>

#include "common/wire/agent_api.hpp"

namespace mixnet::wire {

// Appends the page's JSON text to out.
void append_events_page_json(std::string& out, const EventsPage& page);

}  // namespace mixnet::wire
