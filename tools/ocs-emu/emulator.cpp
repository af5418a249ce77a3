// The emulator's I/O: one io_context thread serving TL1 (Polatis, Calient) over raw TCP, RESTCONF
// and the control API over HTTP, a settle timer driving the switch model, and a worker thread for
// the physical plane. This is the only Asio/Beast translation unit of the emulator; all protocol
// logic lives in the *_service.cpp files.
#include <utility>  // Boost 1.74 + GCC 12: before Asio's awaitable headers.

#include "tools/ocs-emu/emulator.hpp"

#include <array>
#include <atomic>
#include <future>
#include <map>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <mutex>
#include <set>
#include <optional>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <thread>

#include "common/clock.hpp"
#include "common/connection_table.hpp"
#include "common/http/server.hpp"
#include "hwdrivers/ocs/tl1_codec.hpp"
#include "tools/ocs-emu/control_service.hpp"
#include "tools/ocs-emu/restconf_service.hpp"
#include "tools/ocs-emu/switch_model.hpp"
#include "tools/ocs-emu/tl1_service.hpp"

namespace mixnet::ocs_emu {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// A batch waits at most this long for its slowest change and its plane calls (a bound, not a
// timing: switching times are at most 60 s each).
constexpr auto kBatchDeadline = std::chrono::minutes(15);

void log_exception(std::string_view what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("ocs-emu: {} ended by exception: {}", what, ex.what());
  }
}

}  // namespace

struct Emulator::Impl {
  explicit Impl(EmulatorOptions o) : options(std::move(o)) {
    EmulatorOptions model_options = options;
    if (model_options.plane && dynamic_cast<NullPlane*>(model_options.plane.get()) != nullptr) model_options.plane.reset();
    plane = model_options.plane;
    model = std::make_unique<SwitchModel>(model_options);
  }

  ~Impl() {
    stop();
    // Tear down in an order that keeps everything a dying coroutine frame touches alive: first
    // the I/O objects held here, then the io_context (which destroys the frames of sessions
    // still suspended; their guards use the mutex, the model and the session map).
    waiters.clear();
    settle_timer.reset();
    rest_server.reset();
    control_server.reset();
    tl1_acceptor.reset();
    calient_acceptor.reset();
    io_owner.reset();
  }

  EmulatorOptions options;
  std::shared_ptr<PhysicalPlane> plane;   // null: no plane calls at all

  mutable std::mutex mutex;               // guards model
  std::unique_ptr<SwitchModel> model;
  std::map<std::uint64_t, beast::tcp_stream*> sessions;   // io thread only
  // Who holds each TL1 listener's session slots (io thread only).
  ConnectionTable tl1_connections{tl1_limits()};
  ConnectionTable calient_connections{tl1_limits()};
  [[nodiscard]] ConnectionLimits tl1_limits() const {
    return {.max_connections = options.max_sessions, .max_per_source = options.max_sessions_per_source};
  }
  std::uint64_t next_session = 1;

  std::unique_ptr<asio::io_context> io_owner = std::make_unique<asio::io_context>(1);
  asio::io_context& io = *io_owner;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::unique_ptr<asio::thread_pool> plane_pool;
  std::optional<asio::strand<asio::thread_pool::executor_type>> plane_strand;

  // io-thread state.
  std::optional<asio::steady_timer> settle_timer{std::in_place, io};
  std::uint64_t settle_generation = 0;
  std::optional<std::int64_t> settle_armed_for;
  std::map<std::uint64_t, std::shared_ptr<asio::steady_timer>> waiters;

  std::unique_ptr<tcp::acceptor> tl1_acceptor;
  std::unique_ptr<tcp::acceptor> calient_acceptor;
  std::unique_ptr<http::Server> rest_server;
  std::unique_ptr<http::Server> control_server;

  std::atomic<bool> running{false};
  bool started = false;
  unsigned short tl1_bound = 0;
  unsigned short rest_bound = 0;
  unsigned short calient_bound = 0;
  unsigned short control_bound = 0;

  bool in_io_thread() const { return io.get_executor().running_in_this_thread(); }

  // Called with the mutex held after anything that may have changed the model: hands plane work
  // to the worker (in order), wakes sessions whose batch completed, re-arms the settle timer.
  void after_change_locked() {
    for (auto& action : model->take_plane_actions()) dispatch_plane(std::move(action));
    auto done = model->take_completed_batches();
    if (in_io_thread()) {
      notify(done);
      arm_settle_locked();
    } else {
      asio::post(io, [this, done = std::move(done)] {
        notify(done);
        std::lock_guard lock(mutex);
        arm_settle_locked();
      });
    }
  }

  void dispatch_plane(PlaneAction action) {
    if (!plane || !plane_strand) {
      model->plane_done(action, std::vector<PortLight>{});
      return;
    }
    asio::post(*plane_strand, [this, action = std::move(action)] {
      Result<std::vector<PortLight>> r = action.made ? plane->circuit_made(action.change) : plane->circuit_broken(action.change);
      if (!r) {
        spdlog::warn("ocs-emu: physical plane {}: {} {}->{}: {}", plane->name(), action.made ? "make" : "break",
                     action.change.from, action.change.to, r.error().describe());
      }
      asio::post(io, [this, action, r = std::move(r)] {
        std::lock_guard lock(mutex);
        model->plane_done(action, r);
        after_change_locked();
      });
    });
  }

  void notify(const std::vector<std::uint64_t>& done) {
    for (std::uint64_t id : done) {
      if (const auto it = waiters.find(id); it != waiters.end()) it->second->cancel();
    }
  }

  void arm_settle_locked() {
    const auto next = model->next_settle_mono();
    if (!next) return;
    if (settle_armed_for && *settle_armed_for <= *next) return;
    settle_armed_for = *next;
    const std::uint64_t generation = ++settle_generation;
    settle_timer->expires_after(std::chrono::nanoseconds(std::max<std::int64_t>(0, *next - monotonic_ns())));
    settle_timer->async_wait([this, generation](const boost::system::error_code& ec) {
      if (ec || generation != settle_generation) return;
      settle_armed_for.reset();
      std::lock_guard lock(mutex);
      model->settle_due(Now::read());
      after_change_locked();
    });
  }

  // Waits until a batch has settled (and its plane calls are done). False on the deadline.
  asio::awaitable<bool> wait_batch(std::uint64_t batch) {
    {
      std::lock_guard lock(mutex);
      if (model->batch_complete(batch)) co_return true;
    }
    auto timer = std::make_shared<asio::steady_timer>(io);
    timer->expires_after(kBatchDeadline);
    waiters[batch] = timer;
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    waiters.erase(batch);
    co_return ec == asio::error::operation_aborted;
  }

  asio::awaitable<void> delay(std::chrono::milliseconds d) {
    if (d.count() <= 0) co_return;
    asio::steady_timer t(io);
    t.expires_after(d);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  // --- TL1 -------------------------------------------------------------------------------------

  Result<unsigned short> listen_tl1(std::unique_ptr<tcp::acceptor>& acceptor, unsigned short port, Dialect dialect) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.bind_address, ec);
    if (ec) return fail(Errc::invalid_argument, "'" + options.bind_address + "' is not an IP address", "bind");
    const tcp::endpoint endpoint(address, port);
    acceptor = std::make_unique<tcp::acceptor>(io);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    const std::string name = dialect == Dialect::calient ? "calient-port" : "tl1-port";
    if (ec) {
      return fail(ec == asio::error::address_in_use ? Errc::conflict : Errc::io,
                  "listen on " + options.bind_address + ":" + std::to_string(port) + ": " + ec.message(), name);
    }
    const unsigned short bound = acceptor->local_endpoint(ec).port();
    asio::co_spawn(io, accept_loop(*acceptor, dialect), [](std::exception_ptr e) { log_exception("TL1 accept loop", e); });
    return bound;
  }

  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Dialect dialect) {
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        spdlog::warn("ocs-emu: TL1 accept failed: {}", ec.message());
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(io, tl1_session(std::move(socket), dialect),
                     [](std::exception_ptr e) { log_exception("TL1 session", e); });
    }
  }

  asio::awaitable<void> tl1_session(tcp::socket socket, Dialect dialect) {
    boost::system::error_code ec;
    const std::string source = socket.remote_endpoint(ec).address().to_string();
    if (ec) co_return;  // gone before we looked
    beast::tcp_stream stream(std::move(socket));
    // A slot on this listener; at a cap an older session not logged in (or idle) is closed for
    // this one. Declared after the stream, so the slot is given back before the stream goes.
    ConnectionTable& table = dialect == Dialect::calient ? calient_connections : tl1_connections;
    const auto slot_id = table.admit(source, [&stream] {
      boost::system::error_code ignored;
      stream.socket().close(ignored);
    });
    if (!slot_id) {
      spdlog::warn("ocs-emu: refusing a TL1 session from {}: {} open, all busy", source, table.size());
      co_return;
    }
    ConnectionSlot slot(table, *slot_id);
    Tl1SessionState state;
    state.dialect = dialect;
    state.id = next_session++;
    sessions[state.id] = &stream;
    {
      std::lock_guard lock(mutex);
      ++model->counters.sessions_open;
    }
    struct Leave {
      Impl& impl;
      std::uint64_t id;
      ~Leave() {
        impl.sessions.erase(id);
        std::lock_guard lock(impl.mutex);
        --impl.model->counters.sessions_open;
      }
    } leave{*this, state.id};

    ocs::tl1::CommandFramer framer;
    std::array<char, 4096> buffer{};
    // While not logged in, each command must arrive whole within the login timeout of its
    // first read, so neither a silent nor a trickling socket holds a slot for long.
    std::optional<std::chrono::steady_clock::time_point> command_deadline;
    for (;;) {
      while (auto text = framer.next()) {
        command_deadline.reset();
        slot.set_phase(ConnectionTable::Phase::busy);
        Tl1Outcome out;
        std::chrono::milliseconds reply_delay{0};
        {
          std::lock_guard lock(mutex);
          out = handle_tl1(*model, state, *text, Now::read());
          reply_delay = model->reply_delay();
          after_change_locked();
        }
        if (out.drop) {
          spdlog::info("ocs-emu: fault: dropping {} session {} {} the command", dialect == Dialect::calient ? "calient" : "tl1",
                       state.id, to_string(*out.drop));
          if (out.batch) {
            std::lock_guard lock(mutex);
            model->forget_batch_reply(out.batch);
          }
          stream.socket().close(ec);
          co_return;
        }
        if (out.batch && !co_await wait_batch(out.batch)) {
          spdlog::error("ocs-emu: batch {} did not settle in time", out.batch);
        }
        co_await delay(reply_delay);
        if (out.batch) {
          // Stamped as the reply is handed to the socket, so a client that has read it finds the
          // stamp in the ground truth.
          std::lock_guard lock(mutex);
          model->mark_replied(out.batch, realtime_ns());
        }
        stream.expires_after(options.write_timeout);
        co_await asio::async_write(stream, asio::buffer(out.reply), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        slot.set_phase(state.logged_in ? ConnectionTable::Phase::idle : ConnectionTable::Phase::unproven);
      }
      if (framer.buffered() > options.max_command_bytes) {
        spdlog::warn("ocs-emu: TL1 session {}: {} bytes without ';', closing", state.id, framer.buffered());
        co_return;
      }
      if (state.logged_in) {
        stream.expires_after(options.session_idle_timeout);
      } else {
        if (!command_deadline) command_deadline = std::chrono::steady_clock::now() + options.login_timeout;
        stream.expires_at(*command_deadline);
      }
      const std::size_t n =
          co_await stream.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      framer.feed(std::string_view(buffer.data(), n));
    }
  }

  // --- HTTP ------------------------------------------------------------------------------------

  Result<unsigned short> listen_http(std::unique_ptr<http::Server>& server, unsigned short port, bool control) {
    http::ServerOptions so;
    so.server_name = "mixnet-ocs-emu";
    so.body_limit = 1 << 20;
    if (control) so.bearer_token = options.control_token;
    if (!control) so.tls = options.rest_tls;
    server = std::make_unique<http::Server>(io, so);
    const std::string base = control ? "/v1" : "/api";
    const http::Handler handler = control ? http::Handler([this](const http::Request& req, const http::RouteMatch&) {
      return control_request(req);
    })
                                          : http::Handler([this](const http::Request& req, const http::RouteMatch&) {
                                              return rest_request(req);
                                            });
    // The services parse the whole path themselves; the server only needs to reach them.
    std::string pattern = base;
    for (int depth = 0; depth <= 6; ++depth) {
      for (const auto verb : {http::Verb::get, http::Verb::post, http::Verb::put, http::Verb::delete_, http::Verb::patch}) {
        server->route(verb, pattern, handler);
      }
      pattern += "/{p" + std::to_string(depth) + "}";
    }
    if (control) {
      server->route(http::Verb::get, "/metrics", [this](const http::Request& req, const http::RouteMatch&) {
        return metrics_request(req);
      });
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options.bind_address, ec);
    if (ec) return fail(Errc::invalid_argument, "'" + options.bind_address + "' is not an IP address", "bind");
    if (auto ok = server->listen(tcp::endpoint(address, port)); !ok) {
      return std::unexpected(ok.error().context(control ? "control-port" : "rest-port"));
    }
    return server->local_endpoint().port();
  }

  // Prometheus text on the control port: what the listeners count. Runs on the io thread, where
  // both servers update their stats.
  asio::awaitable<http::Response> metrics_request(const http::Request& req) {
    const auto failed = [](const std::unique_ptr<http::Server>& s) { return s ? s->stats().tls_handshakes_failed : 0; };
    std::string body =
        "# HELP mixnet_ocs_emu_tls_handshakes_failed_total TLS handshakes that failed on a listener (RESTCONF with "
        "--tls-cert): plain HTTP to the HTTPS port, an untrusted client, a silent socket.\n"
        "# TYPE mixnet_ocs_emu_tls_handshakes_failed_total counter\n";
    body += "mixnet_ocs_emu_tls_handshakes_failed_total{listener=\"restconf\"} " + std::to_string(failed(rest_server)) + "\n";
    body += "mixnet_ocs_emu_tls_handshakes_failed_total{listener=\"control\"} " + std::to_string(failed(control_server)) + "\n";
    http::Response res{http::Status::ok, req.version() == 0 ? 11 : req.version()};
    res.set(beast::http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.set(beast::http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_return res;
  }

  asio::awaitable<http::Response> rest_request(const http::Request& req) {
    RestRequest rr;
    rr.method = std::string(req.method_string());
    rr.target = std::string(req.target());
    rr.content_type = std::string(req[beast::http::field::content_type]);
    rr.accept = std::string(req[beast::http::field::accept]);
    rr.authorization = std::string(req[beast::http::field::authorization]);
    rr.body = req.body();
    RestResponse out;
    std::chrono::milliseconds reply_delay{0};
    {
      std::lock_guard lock(mutex);
      out = handle_restconf(*model, rr, Now::read());
      reply_delay = model->reply_delay();
      after_change_locked();
    }
    if (out.batch && !co_await wait_batch(out.batch)) {
      spdlog::error("ocs-emu: batch {} did not settle in time", out.batch);
      out.status = 500;
      out.content_type = std::string(kYangJson);
      out.body = restconf_error_body("operation-failed", "the switch did not settle in time");
    }
    co_await delay(reply_delay);
    http::Response res{static_cast<http::Status>(out.status), req.version() == 0 ? 11 : req.version()};
    if (!out.content_type.empty()) {
      // A client that asks for plain JSON only gets it labelled so.
      const std::string_view accept = rr.accept;
      const bool plain = accept.find("application/json") != std::string_view::npos &&
                         accept.find("yang-data") == std::string_view::npos;
      res.set(beast::http::field::content_type, plain ? "application/json" : out.content_type);
    }
    res.set(beast::http::field::cache_control, "no-store");
    for (const auto& [name, value] : out.headers) res.set(name, value);
    res.body() = std::move(out.body);
    res.keep_alive(req.keep_alive());
    if (out.batch) {
      std::lock_guard lock(mutex);
      model->mark_replied(out.batch, realtime_ns());
    }
    co_return res;
  }

  asio::awaitable<http::Response> control_request(const http::Request& req) {
    ControlResponse out;
    const std::string target(req.target());
    if (is_plane_route(target)) {
      // The plane answers its own routes under its own lock, not the model's.
      out = handle_plane_control(plane.get(), std::string(req.method_string()), target, req.body());
      co_return http::json_response(req, static_cast<http::Status>(out.status), out.body);
    }
    {
      std::lock_guard lock(mutex);
      out = handle_control(*model, std::string(req.method_string()), std::string(req.target()), req.body(), Now::read());
      after_change_locked();
    }
    co_return http::json_response(req, static_cast<http::Status>(out.status), out.body);
  }

  // --- Life cycle ------------------------------------------------------------------------------

  Result<void> start() {
    if (started) return fail(Errc::conflict, "the emulator was started already", "start");
    if (auto ok = options.validate(); !ok) return ok;
    started = true;
    auto bind_all = [&]() -> Result<void> {
      if (options.serve_tl1) {
        auto p = listen_tl1(tl1_acceptor, options.tl1_port, Dialect::polatis);
        if (!p) return std::unexpected(p.error());
        tl1_bound = *p;
      }
      if (options.serve_calient) {
        auto p = listen_tl1(calient_acceptor, options.calient_port, Dialect::calient);
        if (!p) return std::unexpected(p.error());
        calient_bound = *p;
      }
      if (options.serve_rest) {
        auto p = listen_http(rest_server, options.rest_port, false);
        if (!p) return std::unexpected(p.error());
        rest_bound = *p;
      }
      if (options.serve_control) {
        auto p = listen_http(control_server, options.control_port, true);
        if (!p) return std::unexpected(p.error());
        control_bound = *p;
      }
      return {};
    };
    if (auto ok = bind_all(); !ok) {
      close_listeners();
      tl1_bound = rest_bound = calient_bound = control_bound = 0;
      return ok;
    }
    if (plane) {
      plane_pool = std::make_unique<asio::thread_pool>(1);
      plane_strand.emplace(asio::make_strand(plane_pool->get_executor()));
      // Power readings follow the transmitters' light where the plane knows it. Called with the
      // plane's lock held; the emulator never calls the plane with its own lock held.
      plane->watch_fibre_light([this](const std::set<int>& lit) {
        std::lock_guard lock(mutex);
        model->set_fibre_light(lit);
      });
    }
    work.emplace(io.get_executor());
    running = true;
    thread = std::thread([this] {
      try {
        io.run();
      } catch (const std::exception& e) {
        spdlog::critical("ocs-emu: io thread died: {}", e.what());
      }
    });
    spdlog::info("ocs-emu: {} switch ({}), switching time {}; TL1 {} RESTCONF {} Calient {} control {}",
                 model->size_text(), options.mode == SwitchMode::any_to_any ? "any-to-any" : "NxM",
                 options.switching.describe(), tl1_bound, rest_bound, calient_bound, control_bound);
    return {};
  }

  void close_listeners() {
    boost::system::error_code ec;
    if (tl1_acceptor) tl1_acceptor->close(ec);
    if (calient_acceptor) calient_acceptor->close(ec);
    if (rest_server) rest_server->stop();
    if (control_server) control_server->stop();
  }

  void stop() {
    if (!running.exchange(false)) return;
    // Close everything on the io thread (the objects are not thread-safe), then stop it.
    std::promise<void> closed;
    asio::post(io, [this, &closed] {
      close_listeners();
      boost::system::error_code ec;
      for (auto& [id, stream] : sessions) stream->socket().close(ec);
      settle_timer->cancel();
      for (auto& [id, t] : waiters) t->cancel();
      closed.set_value();
    });
    if (closed.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      spdlog::warn("ocs-emu: the io thread did not close the listeners within 5 s; stopping it anyway");
    }
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
    if (plane_pool) {
      plane_pool->join();
    }
    if (plane) plane->watch_fibre_light(nullptr);   // the plane may outlive this emulator
  }
};

// --- The public face -----------------------------------------------------------------------------

Emulator::Emulator(EmulatorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Emulator::~Emulator() { stop(); }

Result<void> Emulator::start() { return impl_->start(); }
void Emulator::stop() { impl_->stop(); }
bool Emulator::running() const { return impl_->running; }

const EmulatorOptions& Emulator::options() const { return impl_->options; }
unsigned short Emulator::tl1_port() const { return impl_->tl1_bound; }
unsigned short Emulator::rest_port() const { return impl_->rest_bound; }
unsigned short Emulator::calient_port() const { return impl_->calient_bound; }
unsigned short Emulator::control_port() const { return impl_->control_bound; }

std::vector<Connection> Emulator::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model->connections();
}

std::vector<PortView> Emulator::ports() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<PortView> out;
  for (int p = 1; p <= impl_->model->port_count(); ++p) out.push_back(impl_->model->port_view(p));
  return out;
}

Result<PortView> Emulator::port(int p) const {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->model->valid_port(p)) {
    return fail(Errc::invalid_argument, "port must be 1.." + std::to_string(impl_->model->port_count()), "port");
  }
  return impl_->model->port_view(p);
}

Result<double> Emulator::power_dbm(int p) const {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->model->valid_port(p)) {
    return fail(Errc::invalid_argument, "port must be 1.." + std::to_string(impl_->model->port_count()), "port");
  }
  return impl_->model->power_dbm(p);
}

std::string Emulator::state_json() const {
  std::lock_guard lock(impl_->mutex);
  return ocs_emu::state_json(*impl_->model).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

Counters Emulator::counters() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model->counters;
}

namespace {
Error model_error(const Rejection& r, std::string field) {
  const Errc code = r.reason == Reject::not_found ? Errc::not_found
                    : (r.reason == Reject::in_use || r.reason == Reject::exists || r.reason == Reject::port_failed)
                        ? Errc::conflict
                        : Errc::invalid_argument;
  return Error{code, r.message, std::move(field)};
}
}  // namespace

Result<void> Emulator::preset(const std::vector<Connection>& connections) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->model->preset(connections, Now::read()); !ok) return std::unexpected(model_error(ok.error(), "connections"));
  impl_->after_change_locked();
  return {};
}

bool Emulator::wait_settled(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(impl_->mutex);
      if (impl_->model->batches_in_flight() == 0 && !impl_->model->next_settle_mono()) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::vector<ChangeRecord> Emulator::ground_truth() const { return ground_truth_since(0); }

std::vector<ChangeRecord> Emulator::ground_truth_since(std::uint64_t after_id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model->records_since(after_id, SIZE_MAX);
}

void Emulator::clear_ground_truth() {
  std::lock_guard lock(impl_->mutex);
  impl_->model->clear_records();
}

Result<void> Emulator::set_port_failed(int port, bool failed) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->model->set_port_failed(port, failed, Now::read()); !ok) return std::unexpected(model_error(ok.error(), "port"));
  impl_->after_change_locked();
  return {};
}

Result<void> Emulator::set_port_extra_loss(int port, double extra_db) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->model->set_port_extra_loss(port, extra_db); !ok) return std::unexpected(model_error(ok.error(), "extra_loss_db"));
  return {};
}

void Emulator::set_reply_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->model->set_reply_delay(delay);
}

void Emulator::arm_drop_session(DropSessionFault fault) {
  std::lock_guard lock(impl_->mutex);
  impl_->model->arm_drop_session(std::move(fault));
}

int Emulator::drop_session_armed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->model->drop_session_armed();
}

void Emulator::clear_faults() {
  std::lock_guard lock(impl_->mutex);
  impl_->model->clear_faults(Now::read());
  impl_->after_change_locked();
}

Result<void> Emulator::set_input_power(int port, std::optional<double> dbm) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->model->set_input_power(port, dbm); !ok) return std::unexpected(model_error(ok.error(), "dbm"));
  return {};
}

Result<void> Emulator::set_switching_time(SwitchingTime switching) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->model->set_switching_time(switching); !ok) {
    return std::unexpected(model_error(ok.error(), "switching-time"));
  }
  return {};
}

}  // namespace mixnet::ocs_emu
