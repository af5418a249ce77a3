#include "coordinator/agents/agent_pool.hpp"

#include <algorithm>
#include <cctype>

#include "common/clock.hpp"
#include "coordinator/agents/agent_errors.hpp"
#include "coordinator/agents/journal_reader.hpp"

namespace mixnet::coord {

namespace {

std::string url_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

struct AgentPool::Agent {
  AgentEndpoint endpoint;
  LinkStateTable links;            // built from the pool's journal cursor (journal_)
  measure::BestClockSample clock;  // the round trip to trust of those clock() has seen
  std::optional<std::set<std::string>> managed;   // port names of the last inventory, this life
};

struct AgentPool::Follow {
  WatchId watch = 0;               // the long-poll behind it (0: stopped)
  int failures = 0;                // polls failed in a row
  std::map<ListenerId, std::function<void(const EventsDelivery&)>> listeners;
};

struct AgentPool::Watch {
  std::string host;
  std::chrono::milliseconds wait{0};
  std::function<bool(const EventsDelivery&)> on_page;
  CallId in_flight = 0;
};

AgentPool::AgentPool(std::vector<AgentEndpoint> agents, AgentPoolOptions options) : options_(options) {
  for (auto& e : agents) {
    auto a = std::make_unique<Agent>();
    while (!e.url.empty() && e.url.back() == '/') e.url.pop_back();
    a->endpoint = std::move(e);
    const std::string host = a->endpoint.host;
    agents_.emplace(host, std::move(a));
  }
  // Per agent: the journal's long-poll, and room for the requests a step has in flight to one host
  // at once (a link verification's probes and far-end reads, one per port and direction; traffic
  // calls), kept open from one step to the next: a connection closed for want of room is a new
  // TLS handshake later (at 128 hosts with four per agent, a third of the requests paid one; a
  // verification has up to 13 in flight to one host: its long-poll, and a probe and a far-end read
  // per port).
  http_.set_max_connections(static_cast<long>(agents_.size()) * kConnectionsPerAgent + 16);
}

AgentPool::~AgentPool() = default;

std::vector<std::string> AgentPool::hosts() const {
  std::vector<std::string> out;
  for (const auto& [host, a] : agents_) out.push_back(host);
  return out;
}

bool AgentPool::has_host(const std::string& host) const { return agents_.contains(host); }

AgentPool::Agent* AgentPool::find(const std::string& host) {
  auto it = agents_.find(host);
  return it == agents_.end() ? nullptr : it->second.get();
}

const AgentPool::Agent* AgentPool::find(const std::string& host) const {
  auto it = agents_.find(host);
  return it == agents_.end() ? nullptr : it->second.get();
}

std::int64_t AgentPool::default_deadline() const {
  const std::int64_t per_attempt = options_.request_timeout.count() + options_.backoff.count() * 4;
  return monotonic_ns() + (per_attempt * std::max(options_.attempts, 1) + 1000) * kNsPerMs;
}

HttpRequest AgentPool::make_request(const Agent& agent, const AgentCall& call, std::int64_t deadline_ns) const {
  HttpRequest r;
  r.method = call.method;
  r.url = agent.endpoint.url + call.target;
  r.body = call.body;
  r.bearer_token = agent.endpoint.token;
  r.ca_file = agent.endpoint.ca_file;
  r.client_cert_file = agent.endpoint.client_cert_file;
  r.client_key_file = agent.endpoint.client_key_file;
  r.timeout = call.timeout.count() > 0 ? call.timeout : options_.request_timeout;
  r.connect_timeout = options_.connect_timeout;
  r.max_attempts = std::max(options_.attempts, 1);
  r.idempotent = call.idempotent;
  r.backoff = options_.backoff;
  if (deadline_ns == 0) {
    // Every attempt may take its whole timeout, plus the backoff before it.
    const std::int64_t per_attempt_ms = r.timeout.count() + std::min<std::int64_t>(options_.backoff.count() * 8, 1000);
    const std::int64_t start = std::max(call.start_after_ns, monotonic_ns());
    deadline_ns = start + (per_attempt_ms * r.max_attempts + 500) * kNsPerMs;
  }
  r.deadline_ns = deadline_ns;
  r.start_after_ns = call.start_after_ns;
  return r;
}

AgentPool::CallId AgentPool::submit(const AgentCall& call, std::function<void(JsonReply)> done) {
  const Agent* agent = find(call.host);
  std::optional<Error> refuse;
  if (agent == nullptr) refuse = Error{Errc::not_found, call.host + ": no such host in the inventory", "host"};
  else if (agent->endpoint.broken) refuse = agent->endpoint.broken->context(call.host);
  if (refuse) {
    // Fails without touching the network, from run() like every other outcome. An empty URL
    // never connects; the request's own outcome is replaced by the refusal.
    HttpRequest never;
    never.url = "";
    never.max_attempts = 1;
    never.deadline_ns = 1;   // long past: finishes at once with "deadline passed"
    std::string host = call.host;
    return http_.submit(std::move(never), [host, refuse = *refuse, done = std::move(done)](HttpOutcome) {
      JsonReply r{host, std::unexpected(refuse)};
      r.done_ns = realtime_ns();
      done(std::move(r));
    });
  }
  const std::string what = call.method + " " + call.target;
  std::string host = call.host;
  return http_.submit(make_request(*agent, call, 0),
                      [host, what, done = std::move(done)](HttpOutcome outcome) {
                        JsonReply r{host, interpret_agent_reply(host, what, outcome)};
                        if (outcome) {
                          r.sent_ns = outcome->sent_ns;
                          r.done_ns = outcome->done_ns;
                          r.request_out_ns = outcome->request_out_ns;
                          r.response_in_ns = outcome->response_in_ns;
                        } else {
                          r.done_ns = realtime_ns();
                        }
                        done(std::move(r));
                      });
}

void AgentPool::cancel(CallId id) { http_.cancel(id); }

void AgentPool::abandon(CallId id) { http_.abandon(id); }

void AgentPool::run(std::int64_t deadline_ns, const std::function<bool()>& stop) { http_.run(deadline_ns, stop); }

std::vector<JsonReply> AgentPool::call_all(const std::vector<AgentCall>& calls, std::int64_t deadline_ns) {
  if (deadline_ns == 0) deadline_ns = default_deadline();
  std::vector<std::optional<JsonReply>> slots(calls.size());
  std::vector<CallId> ids;
  std::size_t left = calls.size();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    AgentCall c = calls[i];
    ids.push_back(submit(c, [&slots, &left, i](JsonReply r) {
      slots[i] = std::move(r);
      --left;
    }));
  }
  run(deadline_ns, [&] { return left == 0; });
  std::vector<JsonReply> out;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (slots[i]) {
      out.push_back(std::move(*slots[i]));
      continue;
    }
    // The batch's deadline passed with this call still in flight.
    http_.cancel(ids[i]);
    JsonReply r{calls[i].host, fail(Errc::timeout, calls[i].host + ": " + calls[i].method + " " + calls[i].target +
                                                       ": no reply before the step's deadline")};
    r.done_ns = realtime_ns();
    out.push_back(std::move(r));
  }
  return out;
}

template <class T>
std::vector<AgentReply<T>> AgentPool::typed(const std::vector<AgentCall>& calls, std::int64_t deadline_ns,
                                            std::string_view what) {
  std::vector<AgentReply<T>> out;
  for (auto& r : call_all(calls, deadline_ns)) {
    AgentReply<T> t{r.host, std::unexpected(Error{})};
    t.sent_ns = r.sent_ns;
    t.done_ns = r.done_ns;
    t.request_out_ns = r.request_out_ns;
    t.response_in_ns = r.response_in_ns;
    if (!r.value) {
      t.value = std::unexpected(r.value.error());
    } else {
      auto decoded = wire::decode<T>(*r.value, what);
      if (decoded) t.value = std::move(*decoded);
      else t.value = std::unexpected(decoded.error().context(r.host));
    }
    out.push_back(std::move(t));
  }
  return out;
}

void AgentPool::learn_agent_id(const std::string& host, const std::string& host_id) {
  if (!host_id.empty()) host_of_agent_id_[host_id] = host;
}

std::vector<AgentReply<wire::Health>> AgentPool::health(const std::vector<std::string>& hosts, std::int64_t deadline_ns) {
  std::vector<AgentCall> calls;
  for (const auto& h : hosts) calls.push_back({.host = h, .target = "/v1/health"});
  // 503 "degraded" is still an answer worth having: decode it from the error path's body.
  auto raw = call_all(calls, deadline_ns);
  std::vector<AgentReply<wire::Health>> out;
  for (auto& r : raw) {
    AgentReply<wire::Health> t{r.host, std::unexpected(Error{})};
    t.sent_ns = r.sent_ns;
    t.done_ns = r.done_ns;
    t.request_out_ns = r.request_out_ns;
    t.response_in_ns = r.response_in_ns;
    if (r.value) {
      auto decoded = wire::decode<wire::Health>(*r.value, "health");
      if (decoded) {
        learn_agent_id(r.host, decoded->host_id);
        t.value = std::move(*decoded);
      } else {
        t.value = std::unexpected(decoded.error().context(r.host));
      }
    } else {
      t.value = std::unexpected(r.value.error());
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<AgentReply<measure::ClockSample>> AgentPool::clock(const std::vector<std::string>& hosts, std::int64_t deadline_ns) {
  std::vector<AgentCall> calls;
  for (const auto& h : hosts) calls.push_back({.host = h, .target = "/v1/clock", .timeout = options_.request_timeout});
  std::vector<AgentReply<measure::ClockSample>> out;
  for (auto& r : typed<wire::ClockReply>(calls, deadline_ns, "clock")) {
    AgentReply<measure::ClockSample> t{r.host, std::unexpected(Error{})};
    t.sent_ns = r.sent_ns;
    t.done_ns = r.done_ns;
    t.request_out_ns = r.request_out_ns;
    t.response_in_ns = r.response_in_ns;
    if (!r.value) {
      t.value = std::unexpected(r.value.error());
    } else {
      const measure::ClockSample s{r.request_out_ns, r.value->realtime_ns, r.response_in_ns};
      if (Agent* a = find(r.host)) a->clock.add(s);
      t.value = s;
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<AgentReply<wire::Inventory>> AgentPool::inventory(const std::vector<std::string>& hosts, std::int64_t deadline_ns) {
  std::vector<AgentCall> calls;
  for (const auto& h : hosts) calls.push_back({.host = h, .target = "/v1/inventory"});
  auto out = typed<wire::Inventory>(calls, deadline_ns, "inventory");
  for (auto& r : out) {
    if (r.value) note_inventory(r.host, *r.value);
  }
  return out;
}

std::vector<AgentReply<wire::PortInfo>> AgentPool::port(const std::vector<PortCall>& ports, std::int64_t deadline_ns) {
  std::vector<AgentCall> calls;
  for (const auto& p : ports) calls.push_back({.host = p.host, .target = "/v1/ports/" + url_encode(p.port)});
  auto out = typed<wire::PortInfo>(calls, deadline_ns, "port");
  for (auto& r : out) {
    if (Agent* a = find(r.host); a != nullptr && r.value) a->links.apply(*r.value);
  }
  return out;
}

std::vector<AgentReply<wire::ConfigureResult>> AgentPool::configure(const std::vector<ConfigureCall>& calls,
                                                                    std::int64_t deadline_ns) {
  std::vector<AgentCall> raw;
  for (const auto& c : calls) {
    nlohmann::json body;
    wire::to_json(body, c.request);
    // Removing an address is the one change that fails when repeated; the rest are idempotent.
    raw.push_back({.host = c.host, .method = "POST", .target = "/v1/ports/" + url_encode(c.port) + "/config",
                   .body = body.dump(), .idempotent = c.request.remove_addresses.empty()});
  }
  auto out = typed<wire::ConfigureResult>(raw, deadline_ns, "configure");
  for (auto& r : out) {
    if (Agent* a = find(r.host); a != nullptr && r.value) a->links.apply(r.value->port);
  }
  return out;
}

std::vector<AgentReply<wire::CarrierPollReply>> AgentPool::arm_carrier_poll(const std::vector<CarrierPollCall>& calls,
                                                                            std::int64_t deadline_ns) {
  std::vector<AgentCall> raw;
  for (const auto& c : calls) {
    nlohmann::json body;
    wire::to_json(body, c.request);
    raw.push_back({.host = c.host, .method = "POST", .target = "/v1/carrier/poll", .body = body.dump()});
  }
  return typed<wire::CarrierPollReply>(raw, deadline_ns, "carrier poll");
}

std::vector<AgentReply<wire::ProbeResult>> AgentPool::probe(const std::vector<ProbeCall>& calls, std::int64_t deadline_ns) {
  std::vector<AgentCall> raw;
  for (const auto& c : calls) {
    nlohmann::json body;
    wire::to_json(body, c.request);
    // A probe sent twice is two frames with the same nonce: harmless, so it may be retried.
    raw.push_back({.host = c.host, .method = "POST", .target = "/v1/probes", .body = body.dump(), .idempotent = true});
  }
  auto out = typed<wire::ProbeResult>(raw, deadline_ns, "probes");
  for (auto& r : out) {
    if (r.value) learn_agent_id(r.host, r.value->host_id);
  }
  return out;
}

namespace {
std::string neighbors_target(const wire::NeighborsQuery& q) {
  std::string t = "/v1/neighbors";
  char sep = '?';
  if (q.port) {
    t += sep + std::string("port=") + url_encode(*q.port);
    sep = '&';
  }
  if (q.nonce) t += sep + std::string("nonce=") + std::to_string(*q.nonce);
  return t;
}
}  // namespace

std::vector<AgentReply<wire::NeighborsReply>> AgentPool::neighbors(const std::vector<NeighborsCall>& calls,
                                                                   std::int64_t deadline_ns) {
  std::vector<AgentCall> raw;
  for (const auto& c : calls) raw.push_back({.host = c.host, .target = neighbors_target(c.query)});
  auto out = typed<wire::NeighborsReply>(raw, deadline_ns, "neighbors");
  for (auto& r : out) {
    if (r.value) learn_agent_id(r.host, r.value->host_id);
  }
  return out;
}

std::vector<AgentReply<nlohmann::json>> AgentPool::clear_neighbors(const std::vector<std::string>& hosts,
                                                                   const std::optional<std::string>& port,
                                                                   std::int64_t deadline_ns) {
  std::vector<AgentCall> raw;
  for (const auto& h : hosts) {
    std::string target = "/v1/neighbors";
    if (port) target += "?port=" + url_encode(*port);
    raw.push_back({.host = h, .method = "DELETE", .target = target, .idempotent = true});
  }
  return call_all(raw, deadline_ns);
}

// ---- events ----------------------------------------------------------------------------------

void AgentPool::note_journal_step(const std::string& host, const JournalStep& step) {
  Agent* agent = find(host);
  if (agent == nullptr) return;
  // A new life of the agent: the table's events belong to the old one; its state is re-read.
  if (step.restarted) {
    agent->links.forget_events();
    agent->managed.reset();
  }
  for (const auto& ev : step.events) agent->links.apply(ev);
}

std::vector<AgentReply<std::uint64_t>> AgentPool::catch_up_events(const std::vector<std::string>& hosts,
                                                                  std::int64_t deadline_ns) {
  std::vector<AgentReply<std::uint64_t>> out;
  const auto note = [this](const std::string& host, const JournalStep& step) { note_journal_step(host, step); };
  for (auto& host : catch_up(*this, journal_, hosts, deadline_ns, note)) {
    AgentReply<std::uint64_t> r{host.host, std::unexpected(Error{})};
    if (host.events) r.value = host.events->size();
    else r.value = std::unexpected(host.events.error());
    r.sent_ns = host.sent_ns;
    r.done_ns = host.done_ns;
    out.push_back(std::move(r));
  }
  return out;
}

AgentPool::WatchId AgentPool::watch_events(const std::string& host, std::chrono::milliseconds wait,
                                           std::function<bool(const EventsDelivery&)> on_page) {
  auto w = std::make_unique<Watch>();
  w->host = host;
  w->wait = std::clamp(wait, std::chrono::milliseconds(0), std::chrono::milliseconds(wire::kMaxWaitMs));
  w->on_page = std::move(on_page);
  const WatchId id = next_watch_++;
  watches_.emplace(id, std::move(w));
  poll_once(id, 0);
  return id;
}

void AgentPool::poll_once(WatchId id, std::int64_t start_after_ns) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  Watch& w = *it->second;
  const std::uint64_t after = journal_.after(w.host);
  AgentCall call{.host = w.host,
                 .target = journal_.target(w.host, w.wait.count()),
                 .timeout = w.wait + options_.request_timeout,
                 .start_after_ns = start_after_ns};
  w.in_flight = submit(call, [this, id, after](JsonReply r) {
    auto wit = watches_.find(id);
    if (wit == watches_.end()) return;
    Watch& watch = *wit->second;
    watch.in_flight = 0;
    EventsDelivery d{watch.host, decode_events_page(r)};
    const bool failed = !d.page;
    if (auto step = journal_.take(watch.host, d.page, after)) {
      note_journal_step(watch.host, *step);
      d.restarted = step->restarted;
      d.missed = step->missed;
    }
    // The callback may unwatch (itself or others): look the watch up again afterwards.
    auto on_page = watch.on_page;
    const bool again = on_page(d);
    auto again_it = watches_.find(id);
    if (again_it == watches_.end()) return;
    if (!again) {
      watches_.erase(again_it);
      return;
    }
    // A dead agent answers at once: wait before the next try rather than spin.
    poll_once(id, failed && !d.restarted ? monotonic_ns() + options_.backoff.count() * kNsPerMs : 0);
  });
}

void AgentPool::unwatch(WatchId id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  if (it->second->in_flight != 0) http_.cancel(it->second->in_flight);
  watches_.erase(it);
  // A follow whose long-poll this was has stopped: the next listener starts it again.
  for (auto& [host, follow] : follows_) {
    if (follow->watch == id) follow->watch = 0;
  }
}

void AgentPool::unwatch_all() {
  while (!watches_.empty()) unwatch(watches_.begin()->first);
}

AgentPool::ListenerId AgentPool::listen_events(const std::string& host,
                                               std::function<void(const EventsDelivery&)> on_page) {
  auto& follow = follows_[host];
  if (!follow) follow = std::make_unique<Follow>();
  const ListenerId id = next_listener_++;
  follow->listeners.emplace(id, std::move(on_page));
  listener_host_.emplace(id, host);
  if (follow->watch == 0) start_follow(host);
  return id;
}

void AgentPool::unlisten(ListenerId id) {
  auto it = listener_host_.find(id);
  if (it == listener_host_.end()) return;
  if (auto f = follows_.find(it->second); f != follows_.end()) f->second->listeners.erase(id);
  listener_host_.erase(it);
}

bool AgentPool::following(const std::string& host) const {
  auto it = follows_.find(host);
  // Running, not failing, and started from a place in the journal (a catch-up or a page taken).
  return it != follows_.end() && it->second->watch != 0 && it->second->failures == 0 &&
         journal_.last_page(host).has_value();
}

void AgentPool::start_follow(const std::string& host) {
  Follow& f = *follows_.at(host);
  f.failures = 0;
  // The longest wait the agent allows: an idle journal costs one request per wait.
  f.watch = watch_events(host, std::chrono::milliseconds(wire::kMaxWaitMs), [this, host](const EventsDelivery& d) {
    bool again = true;
    on_follow_page(host, d, again);
    return again;
  });
}

void AgentPool::on_follow_page(const std::string& host, const EventsDelivery& delivery, bool& again) {
  Follow& f = *follows_.at(host);
  if (!delivery.page && !delivery.restarted) {
    // Once is not yet a failure: a poll nobody drove for longer than its timeout (a long step that
    // made no agent call) times out when the loop next runs, though the agent is well.
    if (++f.failures < 2) return;
    f.watch = 0;
    again = false;
  } else {
    f.failures = 0;
  }
  // A listener may unlisten itself or others, or listen anew: call those still there.
  std::vector<ListenerId> ids;
  for (const auto& [id, fn] : f.listeners) ids.push_back(id);
  for (ListenerId id : ids) {
    auto it = f.listeners.find(id);
    if (it == f.listeners.end()) continue;
    auto fn = it->second;
    fn(delivery);
  }
}

void AgentPool::note_inventory(const std::string& host, const wire::Inventory& inventory) {
  learn_agent_id(host, inventory.host_id);
  if (Agent* a = find(host)) {
    a->links.apply(inventory);
    std::set<std::string> managed;
    for (const auto& p : inventory.ports) managed.insert(p.name);
    a->managed = std::move(managed);
  }
}

const std::set<std::string>* AgentPool::managed_ports(const std::string& host) const {
  const Agent* a = find(host);
  return a == nullptr || !a->managed ? nullptr : &*a->managed;
}

const LinkStateTable* AgentPool::link_table(const std::string& host) const {
  const Agent* a = find(host);
  return a == nullptr ? nullptr : &a->links;
}

std::optional<std::int64_t> AgentPool::clock_offset_ns(const std::string& host) const {
  const Agent* a = find(host);
  if (a == nullptr) return std::nullopt;
  auto offset = a->clock.offset("agent:" + host);
  if (!offset) return std::nullopt;
  return offset->offset_ns;
}

std::string AgentPool::host_for_agent_id(const std::string& host_id) const {
  auto it = host_of_agent_id_.find(host_id);
  return it == host_of_agent_id_.end() ? std::string{} : it->second;
}

std::optional<wire::EventsPage> AgentPool::last_events_cursor(const std::string& host) const {
  if (find(host) == nullptr) return std::nullopt;
  return journal_.last_page(host);
}

}  // namespace mixnet::coord
