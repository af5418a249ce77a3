#include "coordinator/modules/measure_inputs.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/clock.hpp"
#include "common/token_file.hpp"
#include "coordinator/agents/agent_pool.hpp"
#include "coordinator/agents/http_multi.hpp"

namespace mixnet::coord {

namespace {
// Bounds on paging: a journal or ground-truth log larger than this in one window is not a
// measurement we can trust anyway.
constexpr int kMaxPages = 200;
constexpr std::uint64_t kPage = 1000;
}  // namespace

ClockSampling sample_clocks(AgentPool& pool, const std::vector<std::string>& hosts, int rounds, std::int64_t deadline_ns) {
  ClockSampling out;
  for (int r = 0; r < rounds && monotonic_ns() < deadline_ns; ++r) {
    for (auto& reply : pool.clock(hosts, deadline_ns)) {
      if (!reply.value) {
        out.errors[reply.host] = reply.value.error().message;
        continue;
      }
      out.samples[reply.host].push_back(*reply.value);
    }
  }
  for (const auto& [host, s] : out.samples) out.errors.erase(host);
  return out;
}

Result<void> JournalReader::mark(const std::vector<std::string>& hosts, std::int64_t deadline_ns) {
  marked_ = false;
  auto events = read(hosts, deadline_ns);
  if (!events) return std::unexpected(events.error());
  marked_ = true;
  return {};
}

Result<std::map<std::string, std::vector<wire::LinkEvent>>> JournalReader::read(const std::vector<std::string>& hosts,
                                                                                 std::int64_t deadline_ns) {
  std::map<std::string, std::vector<wire::LinkEvent>> out;
  std::vector<std::string> left = hosts;
  for (int page = 0; !left.empty(); ++page) {
    if (page >= kMaxPages) return fail(Errc::io, "event journals: more than " + std::to_string(kMaxPages * kPage) + " events in one window");
    std::vector<AgentCall> calls;
    for (const auto& h : left) {
      calls.push_back({.host = h, .target = "/v1/events?after=" + std::to_string(after_[h]) + "&wait_ms=0&limit=" + std::to_string(kPage)});
    }
    std::vector<std::string> more;
    for (auto& reply : pool_.call_all(calls, deadline_ns)) {
      if (!reply.value) return std::unexpected(reply.value.error().context("read the event journal"));
      auto p = wire::decode<wire::EventsPage>(*reply.value, "events");
      if (!p) return std::unexpected(p.error().context(reply.host + ": event journal"));
      auto& inst = instance_[reply.host];
      if (!inst.empty() && inst != p->instance) {
        return fail(Errc::io, reply.host + ": the agent restarted during the measurement (its event journal started again)");
      }
      inst = p->instance;
      if (p->missed > 0 && marked_) {
        return fail(Errc::io, reply.host + ": the agent's event journal dropped " + std::to_string(p->missed) + " events before we read them");
      }
      auto& list = out[reply.host];
      list.insert(list.end(), p->events.begin(), p->events.end());
      after_[reply.host] = p->next_after;
      if (!p->events.empty() && p->next_after < p->last_seq) more.push_back(reply.host);
    }
    left = std::move(more);
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
    AgentCall call{.host = h,
                   .target = "/v1/events?after=" + std::to_string(after_[h]) + "&wait_ms=" + std::to_string(wait) + "&limit=" + std::to_string(kPage),
                   .timeout = std::chrono::milliseconds(wait + 5000)};
    if (poll_every.count() > 0 && first_armed.contains(h)) call.start_after_ns = monotonic_ns() + poll_every.count() * 1'000'000;
    first_armed.insert(h);
    in_flight[h] = pool_.submit(call, [&, h](JsonReply reply) {
      in_flight.erase(h);
      if (!reply.value) {
        failure = reply.value.error().context("watch the event journal");
        return;
      }
      auto p = wire::decode<wire::EventsPage>(*reply.value, "events");
      if (!p) {
        failure = p.error().context(h + ": event journal");
        return;
      }
      if (auto& inst = instance_[h]; !inst.empty() && inst != p->instance) {
        failure = Error{Errc::io, h + ": the agent restarted during the measurement (its event journal started again)"};
        return;
      }
      if (p->missed > 0 && marked_) {
        failure = Error{Errc::io, h + ": the agent's event journal dropped " + std::to_string(p->missed) + " events before we read them"};
        return;
      }
      instance_[h] = p->instance;
      auto& list = events[h];
      list.insert(list.end(), p->events.begin(), p->events.end());
      after_[h] = p->next_after;
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

Result<TruthReader> TruthReader::open(const GroundTruth& where) {
  TruthReader r;
  r.url_ = where.url;
  if (!where.token_file.empty()) {
    auto token = read_token_file(where.token_file, "ground_truth.token_file");
    if (!token) return fail(Errc::invalid_argument, token.error().message, "ground_truth.token_file");
    r.token_ = std::move(token->token);
  }
  return r;
}

Result<nlohmann::json> TruthReader::get(const std::string& target, std::int64_t deadline_ns) const {
  HttpMulti http;
  HttpRequest req;
  req.url = url_ + target;
  req.bearer_token = token_;
  req.max_attempts = 3;
  req.idempotent = true;
  req.deadline_ns = deadline_ns;
  std::optional<HttpOutcome> got;
  http.submit(req, [&](HttpOutcome o) { got = std::move(o); });
  http.run(deadline_ns);
  if (!got) return fail(Errc::timeout, "GET " + req.url + ": no answer by the deadline");
  if (!*got) return std::unexpected(got->error());
  if ((*got)->status != 200) {
    return fail(Errc::io, "GET " + req.url + ": HTTP " + std::to_string((*got)->status) + ": " + (*got)->body.substr(0, 200));
  }
  try {
    return nlohmann::json::parse((*got)->body);
  } catch (const std::exception& e) {
    return fail(Errc::protocol, "GET " + req.url + ": not JSON: " + e.what());
  }
}

Result<void> TruthReader::mark(std::int64_t deadline_ns) {
  auto changes = get("/v1/changes?after=0&limit=1", deadline_ns);
  if (!changes) return std::unexpected(changes.error().context("ground truth"));
  auto plane = get("/v1/plane", deadline_ns);
  if (!plane) return std::unexpected(plane.error().context("ground truth"));
  try {
    changes_after_ = changes->at("last_id").get<std::uint64_t>();
    events_after_ = plane->at("last_seq").get<std::uint64_t>();
  } catch (const std::exception& e) {
    return fail(Errc::protocol, std::string("ground truth: last_id / last_seq: ") + e.what());
  }
  return {};
}

Result<std::pair<nlohmann::json, nlohmann::json>> TruthReader::read(std::int64_t deadline_ns) {
  nlohmann::json changes = nlohmann::json::array(), events = nlohmann::json::array();
  try {
    for (int page = 0;; ++page) {
      if (page >= kMaxPages) return fail(Errc::io, "ground truth: too many changes in the window");
      auto r = get("/v1/changes?after=" + std::to_string(changes_after_) + "&limit=" + std::to_string(kPage), deadline_ns);
      if (!r) return std::unexpected(r.error().context("ground truth"));
      const auto& list = r->at("changes");
      for (const auto& c : list) {
        changes.push_back(c);
        changes_after_ = std::max(changes_after_, c.at("id").get<std::uint64_t>());
      }
      if (list.size() < kPage) break;
    }
    for (int page = 0;; ++page) {
      if (page >= kMaxPages) return fail(Errc::io, "ground truth: too many plane events in the window");
      auto r = get("/v1/plane/events?after=" + std::to_string(events_after_) + "&limit=" + std::to_string(kPage), deadline_ns);
      if (!r) return std::unexpected(r.error().context("ground truth"));
      const auto& list = r->at("events");
      for (const auto& e : list) events.push_back(e);
      events_after_ = std::max(events_after_, r->at("next_after").get<std::uint64_t>());
      if (list.size() < kPage) break;
    }
  } catch (const std::exception& e) {
    return fail(Errc::protocol, std::string("ground truth: ") + e.what());
  }
  return std::make_pair(nlohmann::json{{"changes", changes}}, nlohmann::json{{"events", events}});
}

}  // namespace mixnet::coord
