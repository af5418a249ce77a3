#include "agent/traffic/tcp_server_run.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "agent/traffic/tcp_hello.hpp"
#include "agent/traffic/tcp_payload_sink.hpp"
#include "agent/traffic/traffic_thread.hpp"
#include "common/clock.hpp"

namespace mixnet::agent::traffic {

namespace {

constexpr std::int64_t kHelloDeadlineNs = 5'000'000'000;


// Reads exactly n bytes; false on EOF, error, stop or deadline.
bool read_exactly(int fd, std::uint8_t* out, std::size_t n, std::int64_t deadline_mono, const std::atomic<bool>& stop) {
  std::size_t got = 0;
  while (got < n) {
    if (stop.load() || monotonic_ns() > deadline_mono) return false;
    const ssize_t r = ::recv(fd, out + got, n - got, 0);
    if (r > 0) got += static_cast<std::size_t>(r);
    else if (r == 0) return false;
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<TrafficRun>> TcpServerRun::start(std::string id, const TrafficSpec& spec) {
  if (!spec.secret) return fail(Errc::invalid_argument, "a TCP server admits only its announced client: it needs a run secret", "secret");
  auto listener = listen_on_port(spec.port, spec.ifindex, spec.local_address, spec.tcp_port);
  if (!listener) return std::unexpected(listener.error().context("traffic server on " + spec.port));
  auto port = local_tcp_port(listener->get());
  if (!port) return std::unexpected(port.error());
  return std::make_unique<TcpServerRun>(std::move(id), spec, std::move(*listener), *port, realtime_ns());
}

TcpServerRun::TcpServerRun(std::string id, const TrafficSpec& spec, UniqueFd listener, std::uint16_t tcp_port,
                           std::int64_t created_ns)
    : spec_(spec),
      recorder_(std::move(id), spec, created_ns, created_ns,
                to_ns(spec.duration.value_or(spec.max_duration))),
      listener_(std::move(listener)),
      current_(wire::kMaxTrafficStreams),
      ended_(wire::kMaxTrafficStreams, false),
      seen_(wire::kMaxTrafficStreams, false) {
  recorder_.set_tcp_port(tcp_port);
  control_ = std::thread([this] { control_loop(); });
}

TcpServerRun::~TcpServerRun() {
  cancel();
  if (control_.joinable()) control_.join();
}

void TcpServerRun::control_loop() {
  begin_traffic_thread("mx-tr-server");
  const std::int64_t created = monotonic_ns();
  const std::int64_t deadline = created + to_ns(spec_.duration.value_or(spec_.max_duration));
  const std::int64_t accept_deadline = created + to_ns(spec_.accept_timeout);
  const std::int64_t interval = to_ns(spec_.interval);
  std::int64_t next_sample = 0;
  RunState final_state = RunState::failed;
  std::int64_t end_ns = 0;

  for (;;) {
    const std::int64_t now = monotonic_ns();
    const bool started = recorder_.start_ns() != 0;
    {
      std::lock_guard lock(mu_);
      if (streams_ > 0 && ended_count_ == streams_) {
        final_state = RunState::done;
        end_ns = last_end_ns_;
        break;
      }
    }
    if (cancel_.load()) {
      final_state = RunState::cancelled;
      break;
    }
    if (now >= deadline) {
      std::lock_guard lock(mu_);
      recorder_.error("lifetime of " + std::to_string(spec_.duration.value_or(spec_.max_duration).count()) +
                      " ms ended before the client finished (" + std::to_string(ended_count_) + " of " +
                      std::to_string(streams_) + " streams ended cleanly)");
      break;
    }
    if (!started && now >= accept_deadline) {
      recorder_.error("no client connected within accept_timeout_ms (" + std::to_string(spec_.accept_timeout.count()) +
                      " ms)");
      break;
    }
    if (started && next_sample == 0) next_sample = now + interval;
    if (next_sample != 0 && now >= next_sample) {
      recorder_.sample_interval(realtime_ns());
      next_sample += interval;
    }
    std::int64_t wait_ns = 50'000'000;
    if (next_sample != 0) wait_ns = std::min(wait_ns, std::max<std::int64_t>(0, next_sample - now));
    pollfd p{.fd = listener_.get(), .events = POLLIN, .revents = 0};
    const int n = ::poll(&p, 1, static_cast<int>(wait_ns / 1'000'000));
    if (n <= 0 || (p.revents & POLLIN) == 0) continue;
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    UniqueFd fd(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
    if (!fd.valid()) continue;
    reap_finished_workers();
    if (workers_.size() >= kMaxServerConnections) {
      recorder_.event(0, "refused", "more than " + std::to_string(kMaxServerConnections) + " connections at once");
      continue;
    }
    auto c = std::make_shared<Connection>();
    c->fd = std::move(fd);
    c->peer = address_text(peer);
    workers_.push_back(Worker{.thread = std::thread([this, c] {
                                serve(c);
                                c->finished.store(true);
                              }),
                              .connection = c});
  }

  stopping_.store(true);
  {
    std::lock_guard lock(mu_);
    for (auto& c : current_) {
      if (!c) continue;
      if (final_state != RunState::done) reset_on_close(c->fd.get());  // the client must not think it finished
      ::shutdown(c->fd.get(), SHUT_RDWR);
    }
  }
  listener_ = UniqueFd();
  for (auto& w : workers_) w.thread.join();
  recorder_.finish(final_state, end_ns != 0 ? end_ns : realtime_ns());
  spdlog::info("traffic server {} on {}: {} ({} bytes)", recorder_.id(), spec_.port,
               to_string(final_state), recorder_.total_bytes());
}

void TcpServerRun::reap_finished_workers() {
  std::erase_if(workers_, [](Worker& w) {
    if (!w.connection->finished.load()) return false;
    w.thread.join();   // it has returned from serve(): this does not wait
    return true;
  });
}

Result<std::uint32_t> TcpServerRun::admit(const std::shared_ptr<Connection>& c, const StreamHello& hello) {
  std::lock_guard lock(mu_);
  if (session_ && *session_ != hello.session) return fail(Errc::conflict, "another client session is being served");
  if (session_ && hello.streams != streams_) return fail(Errc::protocol, "stream count differs from the session's");
  if (ended_[hello.stream]) return fail(Errc::conflict, "stream " + std::to_string(hello.stream) + " already ended");
  if (!session_) {
    session_ = hello.session;
    streams_ = hello.streams;
    recorder_.set_streams(hello.streams);
    recorder_.set_peer(c->peer);
  }
  if (auto& old = current_[hello.stream]) {
    // The stream reconnected (its old connection broke on the client's side): the new one wins.
    old->superseded.store(true);
    ::shutdown(old->fd.get(), SHUT_RDWR);
  }
  if (seen_[hello.stream]) recorder_.reconnected();  // a later connection of the same stream
  seen_[hello.stream] = true;
  current_[hello.stream] = c;
  return hello.stream;
}

void TcpServerRun::end_stream(std::uint32_t stream, const std::shared_ptr<Connection>& c, bool clean) {
  std::lock_guard lock(mu_);
  if (current_[stream] == c) current_[stream].reset();
  if (clean && !ended_[stream]) {
    ended_[stream] = true;
    ++ended_count_;
    last_end_ns_ = realtime_ns();
  }
}

void TcpServerRun::reject(const Connection& c, const std::string& why) {
  recorder_.connection_rejected();
  recorder_.event(0, "rejected", c.peer + ": " + why);
  if (spec_.on_rejected_connection) spec_.on_rejected_connection();
}

void TcpServerRun::serve(const std::shared_ptr<Connection>& c) {
  begin_traffic_thread("mx-tr-conn");
  const int fd = c->fd.get();
  if (auto r = set_io_timeout(fd, kStopCheckEvery); !r) {
    recorder_.event(0, "refused", r.error().describe());
    return;
  }
  std::array<std::uint8_t, kHelloSize> raw{};
  if (!read_exactly(fd, raw.data(), raw.size(), monotonic_ns() + kHelloDeadlineNs, stopping_)) {
    if (!stopping_.load()) reject(*c, "no stream hello within " + std::to_string(kHelloDeadlineNs / 1'000'000'000) + " s");
    return;
  }
  auto hello = decode_hello(raw);
  if (!hello) {
    reject(*c, hello.error().message);
    return;
  }
  if (!same_secret(hello->secret, *spec_.secret)) {
    reject(*c, "the hello lacks this run's secret (not the client the coordinator announced)");
    return;
  }
  auto admitted = admit(c, *hello);
  if (!admitted) {
    recorder_.event(hello->stream, "refused", c->peer + ": " + admitted.error().message);
    return;
  }
  const std::uint32_t stream = *admitted;
  recorder_.stream_connected(stream);
  recorder_.event(stream, "connected", c->peer);

  const bool timeline = recorder_.timeline_enabled();
  // The run's sink mode: discarded in the kernel (the default: a test of the link) or copied to
  // user space (a test that includes the host's receive path, e.g. against iperf3).
  TcpPayloadSink sink(spec_.sink);
  std::uint64_t received = 0;
  for (;;) {
    const ssize_t n = sink.receive(fd);
    if (n > 0) {
      // The run starts with its first payload byte, not its first connection: a client told to
      // start at an instant (start_at_ns) connects early and waits.
      if (received == 0) recorder_.mark_started(realtime_ns());
      received += static_cast<std::uint64_t>(n);
      recorder_.add_bytes(stream, static_cast<std::uint64_t>(n), timeline ? realtime_ns() : 0);
      continue;
    }
    if (c->superseded.load()) {
      recorder_.event(stream, "replaced", "a newer connection took over the stream");
      return;
    }
    if (n == 0 && stopping_.load()) {
      end_stream(stream, c, /*clean=*/false);
      return;
    }
    if (n == 0) {
      // A clean end: tell the client what arrived on this connection, then let it go.
      const auto receipt = encode_receipt(received);
      const ssize_t sent = ::send(fd, receipt.data(), receipt.size(), MSG_NOSIGNAL);
      end_stream(stream, c, /*clean=*/true);
      recorder_.event(stream, "closed", sent == static_cast<ssize_t>(receipt.size()) ? std::string{} : "receipt not sent");
      return;
    }
    const int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) {
      if (stopping_.load()) {
        end_stream(stream, c, /*clean=*/false);
        return;
      }
      continue;
    }
    end_stream(stream, c, /*clean=*/false);
    recorder_.event(stream, "broken", std::strerror(err));
    return;
  }
}

}  // namespace mixnet::agent::traffic
