#include "tests/coordinator/support/fake_agent.hpp"

#include <algorithm>
#include <future>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/clock.hpp"
#include "common/http/server.hpp"
#include "common/wire/traffic_api.hpp"

namespace mixnet::testing {

namespace asio = boost::asio;
using namespace mixnet::http;
using nlohmann::json;

struct FakeAgent::Impl {
  asio::io_context io;
  std::unique_ptr<Server> server;
  std::thread thread;

  mutable std::mutex mutex;
  std::string host_id;
  std::string instance;
  int lives = 1;
  std::vector<wire::PortInfo> ports;
  std::vector<wire::LinkEvent> journal;   // seq ascending
  std::uint64_t last_seq = 0;
  std::uint64_t first_held = 1;           // events below this were dropped
  std::function<void(const std::string&, std::uint64_t)> deliver_probe;
  std::map<std::string, wire::PortNeighbors> heard;   // port -> the probes it heard
  std::map<std::string, std::chrono::milliseconds> delays;
  std::map<std::string, std::pair<int, unsigned>> failures;
  std::map<std::string, int> counts;
  std::string last_auth;
  std::map<std::string, std::pair<std::shared_ptr<std::atomic<int>>, int>> barriers;
  std::chrono::nanoseconds clock_offset{0};
  TrafficScript traffic;
  std::map<std::string, wire::TrafficRunReport> traffic_runs;   // by id
  std::uint64_t traffic_seq = 0;
  std::vector<ClockPath> clock_paths;
  std::size_t clock_answers = 0;

  // Counts the request, applies the route's delay and scripted failure. Returns a response when
  // the request must fail.
  asio::awaitable<std::optional<Response>> prelude(const std::string& route, const Request& req) {
    std::chrono::milliseconds d{0};
    std::optional<unsigned> fail_status;
    std::shared_ptr<std::atomic<int>> barrier;
    int barrier_n = 0;
    {
      std::lock_guard lock(mutex);
      counts[route] += 1;
      last_auth = std::string(req[boost::beast::http::field::authorization]);
      if (auto it = delays.find(route); it != delays.end()) d = it->second;
      if (auto it = failures.find(route); it != failures.end() && it->second.first > 0) {
        it->second.first -= 1;
        fail_status = it->second.second;
      }
      if (auto it = barriers.find(route); it != barriers.end()) {
        barrier = it->second.first;
        barrier_n = it->second.second;
      }
    }
    if (barrier) {
      barrier->fetch_add(1);
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (barrier->load() < barrier_n && std::chrono::steady_clock::now() < until) {
        asio::steady_timer t(co_await asio::this_coro::executor);
        t.expires_after(std::chrono::milliseconds(1));
        co_await t.async_wait(asio::use_awaitable);
      }
    }
    if (d.count() > 0) {
      asio::steady_timer t(co_await asio::this_coro::executor);
      t.expires_after(d);
      co_await t.async_wait(asio::use_awaitable);
    }
    if (fail_status) {
      co_return json_response(req, static_cast<Status>(*fail_status),
                              {{"error", {{"code", "unavailable"}, {"message", "scripted failure"}}}});
    }
    co_return std::nullopt;
  }

  static asio::awaitable<void> pause(std::chrono::microseconds d) {
    if (d.count() <= 0) co_return;
    asio::steady_timer t(co_await asio::this_coro::executor);
    t.expires_after(d);
    co_await t.async_wait(asio::use_awaitable);
  }

  json events_page(std::uint64_t after, std::uint64_t limit) const {
    wire::EventsPage page;
    page.instance = instance;
    page.last_seq = last_seq;
    page.first_seq = journal.empty() ? last_seq + 1 : journal.front().seq;
    page.missed = after + 1 < first_held ? first_held - (after + 1) : 0;
    for (const auto& e : journal) {
      if (e.seq > after && page.events.size() < limit) page.events.push_back(e);
    }
    page.next_after = page.events.empty() ? std::max(after, first_held - 1) : page.events.back().seq;
    json j;
    wire::to_json(j, page);
    return j;
  }
};

FakeAgent::FakeAgent(std::string host_id, std::string token, std::shared_ptr<boost::asio::ssl::context> tls)
    : impl_(std::make_unique<Impl>()), tls_(tls != nullptr) {
  Impl& m = *impl_;
  m.host_id = std::move(host_id);
  m.instance = m.host_id + "-life1";
  ServerOptions opts;
  opts.bearer_token = std::move(token);
  opts.read_timeout = std::chrono::milliseconds(2000);
  opts.tls = std::move(tls);
  m.server = std::make_unique<Server>(m.io, opts);
  Server& s = *m.server;

  s.route(Verb::get, "/v1/health", [&m](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/health", req)) co_return *f;
    std::lock_guard lock(m.mutex);
    co_return json_response(req, Status::ok, {{"status", "ok"}, {"host_id", m.host_id}, {"version", "fake"}});
  }, true);

  s.route(Verb::get, "/v1/clock", [&m](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/clock", req)) co_return *f;
    ClockPath path;
    std::int64_t offset_ns = 0;
    {
      std::lock_guard lock(m.mutex);
      offset_ns = m.clock_offset.count();
      if (!m.clock_paths.empty()) path = m.clock_paths[m.clock_answers++ % m.clock_paths.size()];
    }
    co_await Impl::pause(path.before);
    const std::int64_t reading = realtime_ns() + offset_ns;
    co_await Impl::pause(path.after);
    co_return json_response(req, Status::ok, {{"realtime_ns", reading}});
  });

  s.route(Verb::get, "/v1/inventory", [&m](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/inventory", req)) co_return *f;
    std::lock_guard lock(m.mutex);
    wire::Inventory inv;
    inv.host_id = m.host_id;
    inv.time_ns = realtime_ns();
    inv.ports = m.ports;
    inv.rdma.note = "fake";
    json j;
    wire::to_json(j, inv);
    co_return json_response(req, Status::ok, j);
  });

  s.route(Verb::get, "/v1/ports/{name}", [&m](const Request& req, const RouteMatch& rm) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/ports/{name}", req)) co_return *f;
    std::lock_guard lock(m.mutex);
    for (const auto& p : m.ports) {
      if (p.name != rm.params.at("name")) continue;
      json j;
      wire::to_json(j, p);
      co_return json_response(req, Status::ok, j);
    }
    co_return error_response(req, Error{Errc::not_found, "no managed port named '" + rm.params.at("name") + "'", "name"});
  });

  s.route(Verb::post, "/v1/ports/{name}/config", [&m](const Request& req, const RouteMatch& rm) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/ports/{name}/config", req)) co_return *f;
    auto parsed = wire::parse_configure_body(req.body());
    if (!parsed) co_return error_response(req, parsed.error());
    std::lock_guard lock(m.mutex);
    for (auto& p : m.ports) {
      if (p.name != rm.params.at("name")) continue;
      wire::ConfigureResult r;
      if (parsed->mtu) {
        p.mtu = *parsed->mtu;
        r.applied.push_back("mtu " + std::to_string(*parsed->mtu));
      }
      for (const auto& a : parsed->add_addresses) {
        p.ipv4.push_back(a);
        r.applied.push_back("add " + a);
      }
      if (parsed->admin_up) {
        p.admin_up = *parsed->admin_up;
        r.applied.push_back(*parsed->admin_up ? "admin up" : "admin down");
      }
      r.port = p;
      json j;
      wire::to_json(j, r);
      co_return json_response(req, Status::ok, j);
    }
    co_return error_response(req, Error{Errc::not_found, "no managed port named '" + rm.params.at("name") + "'", "name"});
  });

  s.route(Verb::get, "/v1/events", [&m](const Request& req, const RouteMatch& rm) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/events", req)) co_return *f;
    auto q = wire::parse_events_query(rm.target.query);
    if (!q) co_return error_response(req, q.error());
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(q->wait_ms);
    while (true) {
      {
        std::lock_guard lock(m.mutex);
        if (q->after > m.last_seq) {
          co_return error_response(req, Error{Errc::invalid_argument, "beyond the last sequence number", "after"});
        }
        const bool fresh = m.last_seq > q->after;
        if (fresh || std::chrono::steady_clock::now() >= until) {
          json page = m.events_page(q->after, q->limit);
          page["timed_out"] = !fresh;
          co_return json_response(req, Status::ok, page);
        }
      }
      // A fake may poll; the real agent is woken by the journal.
      asio::steady_timer t(co_await asio::this_coro::executor);
      t.expires_after(std::chrono::milliseconds(1));
      co_await t.async_wait(asio::use_awaitable);
    }
  });

  s.route(Verb::post, "/v1/probes", [&m](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/probes", req)) co_return *f;
    auto parsed = wire::parse_probe_body(req.body());
    if (!parsed) co_return error_response(req, parsed.error());
    wire::ProbeResult r;
    std::function<void(const std::string&, std::uint64_t)> deliver;
    {
      std::lock_guard lock(m.mutex);
      r.host_id = m.host_id;
      deliver = m.deliver_probe;
    }
    r.nonce = parsed->nonce.value_or(7);
    for (const auto& p : parsed->ports) {
      r.ports.push_back({.port = p, .sent = parsed->count, .first_send_time_ns = realtime_ns(), .last_send_time_ns = realtime_ns()});
      // Outside the lock: the far end may be this very fake.
      if (deliver) deliver(p, r.nonce);
    }
    json j;
    wire::to_json(j, r);
    co_return json_response(req, Status::ok, j);
  });

  s.route(Verb::get, "/v1/neighbors", [&m](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/neighbors", req)) co_return *f;
    std::lock_guard lock(m.mutex);
    wire::NeighborsReply r;
    r.host_id = m.host_id;
    r.time_ns = realtime_ns();
    for (const auto& p : m.ports) {
      auto it = m.heard.find(p.name);
      r.ports.push_back(it != m.heard.end() ? it->second : wire::PortNeighbors{.port = p.name});
    }
    json j;
    wire::to_json(j, r);
    co_return json_response(req, Status::ok, j);
  });

  s.route(Verb::delete_, "/v1/neighbors", [&m](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/neighbors", req)) co_return *f;
    co_return json_response(req, Status::ok, {{"cleared", "all"}});
  });

  // A run's start: the report an agent answers with, kept for the reads.
  const auto start_run = [&m](const std::string& role, const std::string& body) {
    const json j = json::parse(body, nullptr, false);
    std::lock_guard lock(m.mutex);
    wire::TrafficRunReport r;
    r.id = "tr-" + std::to_string(++m.traffic_seq);
    r.role = role;
    r.transport = "tcp";
    r.port = j.is_object() ? j.value("port", "") : "";
    r.local_address = "198.18.0.2";
    r.tcp_port = 5201;
    r.state = "running";
    r.created_ns = realtime_ns();
    if (role == "client" && j.is_object()) r.bytes = j.value("bytes", std::uint64_t{0});   // asked for, until done
    m.traffic_runs[r.id] = r;
    return r;
  };
  s.route(Verb::post, "/v1/traffic/servers", [&m, start_run](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/traffic/servers", req)) co_return *f;
    json j;
    wire::to_json(j, wire::TrafficServerStarted{.report = start_run("server", req.body()), .secret = "0123456789abcdef0123456789abcdef"});
    co_return json_response(req, Status::ok, j);
  });
  s.route(Verb::post, "/v1/traffic/runs", [&m, start_run](const Request& req, const RouteMatch&) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/traffic/runs", req)) co_return *f;
    json j;
    wire::to_json(j, start_run("client", req.body()));
    co_return json_response(req, Status::ok, j);
  });
  s.route(Verb::get, "/v1/traffic/runs/{id}", [&m](const Request& req, const RouteMatch& rm) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/traffic/runs", req)) co_return *f;
    std::lock_guard lock(m.mutex);
    const std::string id = rm.params.at("id");
    auto it = m.traffic_runs.find(id);
    const bool forgotten = it != m.traffic_runs.end() && (it->second.role == "client" ? m.traffic.forget_senders
                                                                                      : m.traffic.forget_receivers);
    if (it == m.traffic_runs.end() || forgotten) {
      co_return error_response(req, Error{Errc::not_found, "no traffic run '" + id + "' (finished runs are kept until 64 newer ones have finished)", "id"});
    }
    wire::TrafficRunReport& r = it->second;
    if (r.state == "running") {
      r.state = "done";
      r.end_ns = realtime_ns();
      r.start_ns = r.end_ns - 1'000'000;
      if (r.role == "client") r.bytes_confirmed = r.bytes;
      else r.bytes = m.traffic.received_bytes;
    }
    json j;
    wire::to_json(j, r);
    co_return json_response(req, Status::ok, j);
  });
  s.route(Verb::delete_, "/v1/traffic/runs/{id}", [&m](const Request& req, const RouteMatch& rm) -> asio::awaitable<Response> {
    if (auto f = co_await m.prelude("/v1/traffic/runs", req)) co_return *f;
    std::lock_guard lock(m.mutex);
    auto it = m.traffic_runs.find(rm.params.at("id"));
    if (it == m.traffic_runs.end()) co_return error_response(req, Error{Errc::not_found, "no such traffic run", "id"});
    if (it->second.state == "running") it->second.state = "cancelled";
    json j;
    wire::to_json(j, it->second);
    co_return json_response(req, Status::ok, j);
  });

  auto listened = s.listen(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  if (!listened) throw std::runtime_error("fake agent: " + listened.error().describe());
  port_ = s.local_endpoint().port();
  m.thread = std::thread([&m] { m.io.run(); });
}

FakeAgent::~FakeAgent() {
  Impl& m = *impl_;
  asio::post(m.io, [&m] {
    m.server->stop();
    m.io.stop();
  });
  if (m.thread.joinable()) m.thread.join();
}

std::string FakeAgent::url() const { return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_); }

void FakeAgent::set_ports(std::vector<wire::PortInfo> ports) {
  std::lock_guard lock(impl_->mutex);
  impl_->ports = std::move(ports);
}

std::uint64_t FakeAgent::push_event(const std::string& kind, const std::string& port, bool carrier, bool admin_up) {
  std::lock_guard lock(impl_->mutex);
  wire::LinkEvent e;
  e.seq = ++impl_->last_seq;
  e.time_ns = realtime_ns();
  e.kind = kind;
  e.port = port;
  e.source = "netlink";
  e.carrier = carrier;
  e.admin_up = admin_up;
  e.oper_state = carrier && admin_up ? "up" : "down";
  impl_->journal.push_back(e);
  for (auto& p : impl_->ports) {
    if (p.name == port) {
      p.carrier = carrier;
      p.admin_up = admin_up;
      p.oper_state = e.oper_state;
    }
  }
  return e.seq;
}

void FakeAgent::restart() {
  std::lock_guard lock(impl_->mutex);
  impl_->lives += 1;
  impl_->instance = impl_->host_id + "-life" + std::to_string(impl_->lives);
  impl_->journal.clear();
  impl_->last_seq = 0;
  impl_->first_held = 1;
}

void FakeAgent::drop_events_through(std::uint64_t seq) {
  std::lock_guard lock(impl_->mutex);
  auto& j = impl_->journal;
  j.erase(std::remove_if(j.begin(), j.end(), [&](const wire::LinkEvent& e) { return e.seq <= seq; }), j.end());
  impl_->first_held = std::max(impl_->first_held, seq + 1);
}

void FakeAgent::on_probe(std::function<void(const std::string& port, std::uint64_t nonce)> deliver) {
  std::lock_guard lock(impl_->mutex);
  impl_->deliver_probe = std::move(deliver);
}

void FakeAgent::script_traffic(TrafficScript script) {
  std::lock_guard lock(impl_->mutex);
  impl_->traffic = script;
}

void FakeAgent::hear(const std::string& port, wire::Neighbor from) {
  std::lock_guard lock(impl_->mutex);
  wire::PortNeighbors& p = impl_->heard[port];
  p.port = port;
  p.probes_received += 1;
  auto& list = p.neighbors;
  auto same = std::find_if(list.begin(), list.end(), [&](const wire::Neighbor& n) { return n.host_id == from.host_id && n.port == from.port; });
  if (same != list.end()) {
    from.first_seen_ns = same->first_seen_ns;
    from.count = same->count + 1;
    list.erase(same);
  } else {
    from.first_seen_ns = from.last_receive_time_ns;
    from.count = 1;
  }
  list.insert(list.begin(), std::move(from));
}

void FakeAgent::delay(const std::string& route, std::chrono::milliseconds d) {
  std::lock_guard lock(impl_->mutex);
  impl_->delays[route] = d;
}

void FakeAgent::fail_next(const std::string& route, int times, unsigned status) {
  std::lock_guard lock(impl_->mutex);
  impl_->failures[route] = {times, status};
}

void FakeAgent::hold_until(const std::string& route, std::shared_ptr<std::atomic<int>> arrivals, int n) {
  std::lock_guard lock(impl_->mutex);
  impl_->barriers[route] = {std::move(arrivals), n};
}

void FakeAgent::skew_clock(std::chrono::nanoseconds offset, std::vector<ClockPath> paths) {
  std::lock_guard lock(impl_->mutex);
  impl_->clock_offset = offset;
  impl_->clock_paths = std::move(paths);
  impl_->clock_answers = 0;
}

int FakeAgent::requests(const std::string& route) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->counts.find(route);
  return it == impl_->counts.end() ? 0 : it->second;
}

std::uint64_t FakeAgent::connections() const {
  std::promise<std::uint64_t> accepted;
  auto answer = accepted.get_future();
  asio::post(impl_->io, [&] { accepted.set_value(impl_->server->stats().connections_accepted); });
  return answer.get();
}

std::string FakeAgent::last_authorization() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_auth;
}

std::string FakeAgent::instance() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->instance;
}

}  // namespace mixnet::testing
