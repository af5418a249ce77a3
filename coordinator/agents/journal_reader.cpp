#include "coordinator/agents/journal_reader.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "common/clock.hpp"

namespace mixnet::coord {

namespace {
// Pages per host and catch-up: with the agent's 1000 events a page, a journal larger than this in
// one window is not a measurement we can trust anyway.
constexpr int kMaxPages = 200;
constexpr std::uint64_t kEventsPerPage = 1000;
// A start_over cursor follows an agent through this many restarts in one catch-up, no more.
constexpr int kMaxRestartsPerCatchUp = 3;
}  // namespace

Result<wire::EventsPage> decode_events_page(const JsonReply& reply) {
  if (!reply.value) return std::unexpected(reply.value.error());
  auto page = wire::decode<wire::EventsPage>(*reply.value, "events");
  if (!page) return std::unexpected(page.error().context(reply.host));
  return page;
}

std::vector<JournalCatchUp> catch_up(AgentPool& pool, JournalCursor& cursor, const std::vector<std::string>& hosts,
                                     std::int64_t deadline_ns, const OnJournalStep& on_step) {
  struct Progress {
    std::optional<JournalCatchUp> result;
    std::vector<wire::LinkEvent> events;
    int pages = 0;
    int restarts = 0;
    std::int64_t sent_ns = 0;
    AgentPool::CallId in_flight = 0;
  };
  std::vector<Progress> progress(hosts.size());
  std::size_t left = hosts.size();
  std::function<void(std::size_t)> read_next = [&](std::size_t i) {
    const std::string& host = hosts[i];
    const std::uint64_t after = cursor.after(host);
    progress[i].in_flight = pool.submit({.host = host, .target = cursor.target(host, 0)}, [&, i, after](JsonReply r) {
      Progress& p = progress[i];
      p.in_flight = 0;
      if (p.sent_ns == 0) p.sent_ns = r.sent_ns;
      auto finish = [&](Result<std::vector<wire::LinkEvent>> outcome) {
        p.result = JournalCatchUp{hosts[i], std::move(outcome), p.sent_ns, r.done_ns};
        --left;
      };
      auto step = cursor.take(hosts[i], decode_events_page(r), after);
      if (!step) return finish(std::unexpected(step.error()));
      if (on_step) on_step(hosts[i], *step);
      if (step->restarted) {
        if (++p.restarts <= kMaxRestartsPerCatchUp) return read_next(i);
        return finish(std::unexpected(r.value ? Error{Errc::unavailable, hosts[i] + ": the agent keeps restarting"} : r.value.error()));
      }
      p.events.insert(p.events.end(), step->events.begin(), step->events.end());
      if (!step->more) return finish(std::move(p.events));
      if (++p.pages >= kMaxPages) {
        return finish(fail(Errc::io, hosts[i] + ": event journal: more than " + std::to_string(kMaxPages * kEventsPerPage) +
                                         " events in one window"));
      }
      read_next(i);
    });
  };
  for (std::size_t i = 0; i < hosts.size(); ++i) read_next(i);
  pool.run(deadline_ns, [&] { return left == 0; });
  std::vector<JournalCatchUp> out;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (progress[i].result) {
      out.push_back(std::move(*progress[i].result));
    } else {
      out.push_back({hosts[i], fail(Errc::timeout, hosts[i] + ": reading the event journal: deadline passed"), 0, realtime_ns()});
    }
  }
  // A host that ran out of time still has a read queued: its callback must not outlive `progress`.
  for (auto& p : progress) {
    if (p.in_flight != 0) pool.cancel(p.in_flight);
  }
  return out;
}

Result<void> JournalReader::mark(const std::vector<std::string>& hosts, std::int64_t deadline_ns) {
  cursor_.set_gaps_fatal(false);   // events before the mark may be gone; after it, a gap is an error
  auto events = read(hosts, deadline_ns);
  if (!events) return std::unexpected(events.error());
  cursor_.set_gaps_fatal(true);
  return {};
}

Result<JournalReader::EventsByHost> JournalReader::read(const std::vector<std::string>& hosts, std::int64_t deadline_ns) {
  EventsByHost out;
  for (auto& host : catch_up(pool_, cursor_, hosts, deadline_ns)) {
    if (!host.events) return std::unexpected(host.events.error().context("read the event journal"));
    out[host.host] = std::move(*host.events);
  }
  return out;
}

Result<bool> JournalReader::watch_until(const std::vector<std::string>& hosts, std::int64_t deadline_ns, EventsByHost& events,
                                        const std::function<bool(const EventsByHost&)>& done, const std::atomic<bool>* cancel,
                                        std::chrono::milliseconds poll_every) {
  std::optional<Error> failure;
  std::map<std::string, AgentPool::CallId> in_flight;
  std::set<std::string> first_armed;
  bool finished = done(events);
  std::function<void(const std::string&)> arm = [&](const std::string& h) {
    const std::int64_t left_ms = std::max<std::int64_t>(0, (deadline_ns - monotonic_ns()) / 1'000'000);
    const std::int64_t wait = poll_every.count() > 0 ? 0 : std::min<std::int64_t>(left_ms, 1000);
    const std::uint64_t after = cursor_.after(h);
    AgentCall call{.host = h, .target = cursor_.target(h, wait), .timeout = std::chrono::milliseconds(wait + 5000)};
    if (poll_every.count() > 0 && first_armed.contains(h)) call.start_after_ns = monotonic_ns() + poll_every.count() * 1'000'000;
    first_armed.insert(h);
    in_flight[h] = pool_.submit(call, [&, h, after](JsonReply reply) {
      in_flight.erase(h);
      auto step = cursor_.take(h, decode_events_page(reply), after);
      if (!step) {
        failure = step.error().context("watch the event journal");
        return;
      }
      auto& list = events[h];
      list.insert(list.end(), step->events.begin(), step->events.end());
      finished = done(events);
      if (!finished && monotonic_ns() < deadline_ns) arm(h);
    });
  };
  if (!finished) {
    for (const auto& h : hosts) arm(h);
    pool_.run(deadline_ns, [&] { return finished || failure.has_value() || (cancel != nullptr && cancel->load()); });
  }
  for (const auto& [h, id] : in_flight) pool_.cancel(id);
  if (failure) return std::unexpected(*failure);
  return finished;
}

}  // namespace mixnet::coord
