#include "agent/traffic/tcp_client_run.hpp"

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "agent/traffic/port_carrier.hpp"
#include "agent/traffic/tcp_engine.hpp"
#include "agent/traffic/tcp_hello.hpp"
#include "agent/traffic/traffic_thread.hpp"
#include "common/clock.hpp"
#include "common/random_id.hpp"

namespace mixnet::agent::traffic {

namespace {

// A run without a timeline connects once, in time for three SYNs: Linux sends them at 0, 1 and 3 s
// (initial RTO 1 s, doubled each time), and the third gets 1.5 s to be answered. A 3 s bound gave
// up just as the third went out: one lost SYN and its retransmission (a receive backlog that
// overflowed for a moment on a busy host) failed the test, seen on the 32-host lab.
constexpr auto kConnectTimeout = std::chrono::milliseconds(4500);
constexpr auto kReconnectAttempt = std::chrono::milliseconds(250);
// Timeline mode's first connection, made while a circuit may still be coming up: a SYN sent while
// the far end is dark is lost, and a quick new attempt beats TCP's 1 s SYN retransmission.
constexpr auto kFirstConnectAttempt = std::chrono::milliseconds(25);
constexpr std::int64_t kFirstConnectSpacingNs = 5'000'000;  // a refusal comes back at once: do not spin
constexpr auto kCarrierPoll = std::chrono::milliseconds(1);
constexpr std::int64_t kReceiptDeadlineNs = 10'000'000'000;


bool transient(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

}  // namespace

Result<std::unique_ptr<TrafficRun>> TcpClientRun::start(std::string id, const TrafficSpec& spec) {
  if (spec.streams == 0 || spec.streams > wire::kMaxTrafficStreams) {
    return fail(Errc::invalid_argument, "stream count out of range", "streams");
  }
  if (!spec.duration && !spec.bytes) return fail(Errc::invalid_argument, "required: duration_ms or bytes", "duration_ms");
  if (!spec.secret) return fail(Errc::invalid_argument, "required: the server's run secret", "secret");
  if (auto peer = make_address(spec.peer, spec.tcp_port, spec.ifindex); !peer) {
    return fail(Errc::invalid_argument, peer.error().message, "peer");
  }
  return std::make_unique<TcpClientRun>(std::move(id), spec);
}

TcpClientRun::TcpClientRun(std::string id, const TrafficSpec& spec)
    : spec_(spec),
      recorder_(std::move(id), spec, realtime_ns(), realtime_ns(),
                // Bins cover the sending time plus the drain at the end.
                to_ns(spec.duration.value_or(spec.max_duration)) + kReceiptDeadlineNs),
      session_(random_id()),
      started_mono_(monotonic_ns()) {
  control_ = std::thread([this] { control_loop(); });
}

TcpClientRun::~TcpClientRun() {
  cancel();
  if (control_.joinable()) control_.join();
}

void TcpClientRun::cancel() {
  cancel_.store(true);
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

std::int64_t TcpClientRun::duration_ns() const { return to_ns(spec_.duration.value_or(spec_.max_duration)); }

void TcpClientRun::control_loop() {
  begin_traffic_thread("mx-tr-client");
  for (std::uint32_t k = 0; k < spec_.streams; ++k) workers_.emplace_back([this, k] { stream_main(k); });

  // Every stream connects first; then all start at once, so the duration is the same for each.
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return connected_ + failed_ >= spec_.streams || cancel_.load(); });
    // Asked to start at an instant (the other runs of a round start then too): connected early,
    // wait for it. Cancel still ends the wait; an instant already past starts at once.
    if (spec_.start_at_ns && failed_ == 0) {
      while (!cancel_.load()) {
        const std::int64_t left = *spec_.start_at_ns - realtime_ns();
        if (left <= 0) break;
        cv_.wait_for(lock, std::chrono::nanoseconds(left));
      }
    }
    // A timeline run's duration counts from its start: a stream that connects late (a circuit that
    // came up late) sends for what is left, and one that never connects ends with the duration.
    // A run told to start at an instant ends at that instant plus its duration, like the other
    // runs of its round, however late this host woke for it (a busy host), so the round's links
    // are free on time for the next one; it still sends for half its duration at least.
    const std::int64_t now = monotonic_ns();
    std::int64_t late = 0;
    if (spec_.start_at_ns && !spec_.timeline) late = std::clamp<std::int64_t>(realtime_ns() - *spec_.start_at_ns, 0, duration_ns() / 2);
    deadline_mono_.store((spec_.timeline ? started_mono_ : now - late) + duration_ns());
    if (failed_ == 0 && !cancel_.load()) {
      recorder_.mark_started(realtime_ns());
      gate_ = Gate::go;
    } else {
      gate_ = Gate::abort;
    }
    cv_.notify_all();
  }

  const std::int64_t interval = to_ns(spec_.interval);
  std::int64_t next_sample = monotonic_ns() + interval;
  {
    std::unique_lock lock(mu_);
    while (finished_ < spec_.streams) {
      const std::int64_t now = monotonic_ns();
      if (gate_ == Gate::go && now >= next_sample) {
        recorder_.sample_interval(realtime_ns());
        next_sample += interval;
        continue;
      }
      cv_.wait_for(lock, std::chrono::nanoseconds(std::max<std::int64_t>(1'000'000, next_sample - now)));
    }
  }
  for (auto& w : workers_) w.join();

  RunState final_state = RunState::done;
  if (cancel_.load()) final_state = RunState::cancelled;
  else if (failed_ > 0) final_state = RunState::failed;
  else {
    for (const auto& s : recorder_.report(false).per_stream) {
      if (!s.error.empty()) final_state = RunState::failed;
    }
  }
  recorder_.finish(final_state, last_end_ns_ != 0 && final_state != RunState::cancelled ? last_end_ns_ : realtime_ns());
  spdlog::info("traffic client {} on {} -> {}:{}: {} ({} bytes)", recorder_.id(), spec_.port, spec_.peer,
               spec_.tcp_port, to_string(final_state), recorder_.total_bytes());
}

Result<UniqueFd> TcpClientRun::open_stream(std::uint32_t stream, std::chrono::milliseconds timeout) {
  ConnectOptions options{.timeout = timeout};
  if (spec_.timeline) options.user_timeout = std::chrono::milliseconds(spec_.timeline->stall_timeout_ms);
  auto fd = connect_from_port(spec_.port, spec_.ifindex, spec_.local_address, spec_.peer, spec_.tcp_port, options);
  if (!fd) return fd;
  if (auto r = set_io_timeout(fd->get(), kStopCheckEvery); !r) return std::unexpected(r.error());
  if (spec_.rate_mbps) {
    // TCP's own pacing (no fq qdisc needed since Linux 4.13): bytes per second for this stream.
    const std::uint64_t bytes_per_s = std::max<std::uint64_t>(1, *spec_.rate_mbps * 125'000 / spec_.streams);
    if (::setsockopt(fd->get(), SOL_SOCKET, SO_MAX_PACING_RATE, &bytes_per_s, sizeof bytes_per_s) != 0) {
      return fail_errno("setsockopt SO_MAX_PACING_RATE", errno);
    }
  }
  const auto hello = encode_hello(StreamHello{.session = session_,
                                              .stream = stream,
                                              .streams = spec_.streams,
                                              .timeline = spec_.timeline.has_value(),
                                              .secret = *spec_.secret});
  // 48 bytes into an empty send buffer: one call, or the connection is already unusable.
  if (::send(fd->get(), hello.data(), hello.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(hello.size())) {
    return fail_errno("send stream hello", errno);
  }
  recorder_.stream_connected(stream);
  recorder_.event(stream, "connected", spec_.peer + ":" + std::to_string(spec_.tcp_port));
  return fd;
}

void TcpClientRun::stream_done() {
  std::lock_guard lock(mu_);
  ++finished_;
  last_end_ns_ = std::max(last_end_ns_, realtime_ns());
  cv_.notify_all();
}

Result<UniqueFd> TcpClientRun::first_connection(std::uint32_t stream) {
  const std::uint64_t connect_timeout_ms = spec_.timeline->connect_timeout_ms;
  const std::int64_t connect_by = started_mono_ + static_cast<std::int64_t>(connect_timeout_ms) * 1'000'000;
  const std::int64_t run_end = started_mono_ + duration_ns();
  const std::int64_t give_up = std::min(connect_by, run_end);
  auto carrier = PortCarrier::open(spec_.ifindex);
  if (!carrier) {
    spdlog::warn("traffic client {}: cannot watch {}'s carrier ({}); connecting blind", recorder_.id(), spec_.port,
                 carrier.error().describe());
  }

  // Each new reason for not being connected yet is an event; repeats of the same one are not.
  std::string last_error;
  auto note = [&](std::string why) {
    if (why != last_error) recorder_.event(stream, "refused", why);
    last_error = std::move(why);
  };
  auto sleep_until = [&](std::int64_t until) {
    while (!cancel_.load()) {
      const std::int64_t left = until - monotonic_ns();
      if (left <= 0) return;
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<std::int64_t>(left, to_ns(kCarrierPoll))));
    }
  };

  for (;;) {
    // A port in service has carrier and is operationally up: the kernel activates its queue then,
    // and a packet sent before (an ARP request, a SYN) would be dropped.
    bool lit = true;
    if (carrier) {
      for (;;) {
        auto up = carrier->in_service();
        lit = up && *up;
        if (lit) break;
        note(up ? spec_.port + " has no carrier (or is not in service yet)" : up.error().describe());
        if (cancel_.load() || monotonic_ns() >= give_up) break;
        std::this_thread::sleep_for(kCarrierPoll);
      }
    }
    if (cancel_.load()) break;
    if (lit) {
      const std::int64_t attempt_started = monotonic_ns();
      auto fd = open_stream(stream, kFirstConnectAttempt);
      if (fd) return fd;
      note(fd.error().describe());
      sleep_until(std::min(give_up, attempt_started + kFirstConnectSpacingNs));
    }
    if (cancel_.load() || monotonic_ns() >= give_up) break;
  }
  if (cancel_.load()) return fail(Errc::timeout, "cancelled before connecting: " + last_error);
  if (connect_by <= run_end) {
    return fail(Errc::timeout, "not connected within timeline.connect_timeout_ms (" +
                                   std::to_string(connect_timeout_ms) + " ms): " + last_error);
  }
  return fail(Errc::timeout, "not connected before the run's duration_ms (" +
                                 std::to_string(duration_ns() / 1'000'000) + " ms) ended: " + last_error);
}

void TcpClientRun::stream_main(std::uint32_t stream) {
  begin_traffic_thread("mx-tr-stream");
  auto fd = spec_.timeline ? first_connection(stream) : open_stream(stream, kConnectTimeout);
  {
    std::unique_lock lock(mu_);
    if (fd) ++connected_;
    else ++failed_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return gate_ != Gate::waiting; });
    if (gate_ == Gate::abort) {
      if (!fd) {
        recorder_.stream_failed(stream, fd.error().describe());
        recorder_.error("stream " + std::to_string(stream) + ": " + fd.error().describe());
      } else {
        reset_on_close(fd->get());  // the server must not count this stream as finished
      }
      lock.unlock();
      stream_done();
      return;
    }
  }

  auto open = send_all(stream, std::move(*fd));
  if (!open) {
    recorder_.stream_failed(stream, open.error().describe());
    if (!cancel_.load()) recorder_.error("stream " + std::to_string(stream) + ": " + open.error().describe());
    stream_done();
    return;
  }
  if (!open->valid() || cancel_.load()) {  // the run ended during an outage, or was cancelled
    if (open->valid()) reset_on_close(open->get());
    stream_done();
    return;
  }

  // Half-close, then wait for the server's receipt: the bytes it counted on this connection.
  ::shutdown(open->get(), SHUT_WR);
  std::array<std::uint8_t, kReceiptSize> receipt{};
  std::size_t got = 0;
  const std::int64_t deadline = monotonic_ns() + kReceiptDeadlineNs;
  while (got < receipt.size() && !cancel_.load() && monotonic_ns() < deadline) {
    const ssize_t n = ::recv(open->get(), receipt.data() + got, receipt.size() - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
    else if (n == 0 || !transient(errno)) break;
  }
  if (got == receipt.size()) {
    recorder_.stream_confirmed(stream, decode_receipt(receipt));
    recorder_.event(stream, "closed");
  } else if (cancel_.load()) {
    reset_on_close(open->get());
  } else {
    const std::string why = "no receipt from the server after the last byte";
    recorder_.stream_failed(stream, why);
    recorder_.error("stream " + std::to_string(stream) + ": " + why);
  }
  stream_done();
}

Result<UniqueFd> TcpClientRun::send_all(std::uint32_t stream, UniqueFd fd) {
  std::uint64_t target = UINT64_MAX;
  if (spec_.bytes) {
    target = *spec_.bytes / spec_.streams + (stream == 0 ? *spec_.bytes % spec_.streams : 0);
  }
  const bool timeline = recorder_.timeline_enabled();
  std::unique_ptr<std::uint8_t[]> buffer(new std::uint8_t[kTcpChunkBytes]);
  for (std::size_t i = 0; i < kTcpChunkBytes; ++i) buffer[i] = static_cast<std::uint8_t>(i * 131 + stream);
  const std::int64_t deadline = deadline_mono_.load();
  std::uint64_t sent = 0;
  while (sent < target) {
    if (cancel_.load()) return fd;
    if (monotonic_ns() >= deadline) {
      if (spec_.bytes) return fail(Errc::timeout, "byte count not sent within the longest run allowed");
      break;
    }
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kTcpChunkBytes, target - sent));
    const ssize_t n = ::send(fd.get(), buffer.get(), want, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::uint64_t>(n);
      recorder_.add_bytes(stream, static_cast<std::uint64_t>(n), timeline ? realtime_ns() : 0);
      continue;
    }
    const int err = errno;
    if (n < 0 && transient(err)) continue;
    if (!spec_.timeline) return fail_errno("send", err);

    // Timeline mode: the connection broke (e.g. the circuit went away and TCP gave up). Keep the
    // stream alive: reconnect until reconnect_timeout_ms passes or the run ends.
    recorder_.event(stream, "broken", std::strerror(err));
    fd = UniqueFd();
    const std::int64_t give_up = std::min(deadline, monotonic_ns() + static_cast<std::int64_t>(
                                                                          spec_.timeline->reconnect_timeout_ms) *
                                                                          1'000'000);
    std::string last_error;
    while (!fd.valid() && !cancel_.load() && monotonic_ns() < give_up) {
      const std::int64_t attempt_started = monotonic_ns();
      auto again = open_stream(stream, kReconnectAttempt);
      if (again) {
        fd = std::move(*again);
        recorder_.reconnected();
        break;
      }
      last_error = again.error().describe();
      // A refusal comes back at once (no route while the port is down): do not spin.
      const std::int64_t spent = monotonic_ns() - attempt_started;
      if (spent < 20'000'000) std::this_thread::sleep_for(std::chrono::nanoseconds(20'000'000 - spent));
    }
    if (cancel_.load()) return UniqueFd();
    if (!fd.valid()) {
      if (monotonic_ns() >= deadline) return UniqueFd();  // the run ended during the outage
      return fail(Errc::timeout, "connection broke and was not re-established within reconnect_timeout_ms (" +
                                     std::to_string(spec_.timeline->reconnect_timeout_ms) + " ms): " + last_error);
    }
  }
  return fd;
}

}  // namespace mixnet::agent::traffic
