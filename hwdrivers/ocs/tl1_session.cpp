#include "hwdrivers/ocs/tl1_session.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"

namespace mixnet::ocs {

namespace {

std::int64_t deadline_after(std::chrono::milliseconds ms) {
  return monotonic_ns() + static_cast<std::int64_t>(ms.count()) * 1'000'000;
}

int remaining_ms(std::int64_t deadline_mono_ns) {
  const auto left = deadline_mono_ns - monotonic_ns();
  if (left <= 0) return 0;
  return static_cast<int>((left + 999'999) / 1'000'000);
}

// Waits until fd is ready for `events` or the deadline passes; Errc::timeout names `what`.
Result<void> wait_fd(int fd, short events, std::int64_t deadline_mono_ns, std::string_view what) {
  for (;;) {
    const int ms = remaining_ms(deadline_mono_ns);
    if (ms == 0) return fail(Errc::timeout, std::string(what) + ": deadline passed");
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(std::string(what) + ": poll", errno);
    }
    if (n > 0) return {};
  }
}

}  // namespace

std::string describe_command(const tl1::Command& cmd) {
  std::string s = cmd.verb + "::" + cmd.aid;
  return s;
}

std::string tl1_string(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) plain = false;
  }
  if (plain) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

Tl1Session::Tl1Session(Tl1SessionOptions options) : options_(std::move(options)) {
  if (options_.keepalive.count() > 0) keepalive_thread_ = std::thread([this] { keepalive_loop(); });
}

Tl1Session::~Tl1Session() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (keepalive_thread_.joinable()) keepalive_thread_.join();
  std::lock_guard lock(mutex_);
  if (fd_.valid()) {
    // Log out politely, but never wait long for it.
    tl1::Command bye{.verb = "CANC-USER", .aid = options_.user, .trailing = {""}};
    (void)roundtrip(bye, std::chrono::milliseconds(500));
  }
  close();
}

void Tl1Session::close() {
  fd_.reset();
  framer_.reset();
  early_.clear();
}

Result<void> Tl1Session::ensure_open() {
  if (fd_.valid()) return {};
  return open_locked();
}

Result<void> Tl1Session::open_locked() {
  close();
  const auto deadline = deadline_after(options_.connect_timeout);
  const std::string where = options_.name + " " + options_.host + ":" + std::to_string(options_.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string service = std::to_string(options_.port);
  if (const int rc = ::getaddrinfo(options_.host.c_str(), service.c_str(), &hints, &list); rc != 0)
    return fail(Errc::not_found, "resolve " + options_.host + ": " + gai_strerror(rc), "host");
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(list, &::freeaddrinfo);

  Error last{Errc::unavailable, "connect " + where + ": no address", {}};
  for (auto* ai = list; ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      last = fail_errno("socket", errno).error();
      continue;
    }
    int rc = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno != EINPROGRESS) {
      last = fail_errno("connect " + where, errno).error();
      continue;
    }
    if (rc < 0) {
      if (auto w = wait_fd(fd.get(), POLLOUT, deadline, "connect " + where); !w) {
        last = w.error();
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) {
        last = fail_errno("connect " + where, err).error();
        if (err == ECONNREFUSED) last.code = Errc::unavailable;
        continue;
      }
    }
    struct IntOption {
      int level, name, value;
      const char* what;
    };
    const IntOption options[] = {{IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY"},
                                 {SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE"},
                                 {IPPROTO_TCP, TCP_KEEPIDLE, 30, "TCP_KEEPIDLE"},
                                 {IPPROTO_TCP, TCP_KEEPINTVL, 10, "TCP_KEEPINTVL"},
                                 {IPPROTO_TCP, TCP_KEEPCNT, 3, "TCP_KEEPCNT"}};
    bool configured = true;
    for (const auto& o : options) {
      if (::setsockopt(fd.get(), o.level, o.name, &o.value, sizeof o.value) != 0) {
        last = fail_errno("connect " + where + ": " + o.what, errno).error();
        configured = false;
        break;
      }
    }
    if (!configured) continue;
    fd_ = std::move(fd);
    break;
  }
  if (!fd_.valid()) return std::unexpected(last);

  // Log in, and wait for the reply: some switches refuse commands sent before it ("Login Not Active").
  tl1::Command login{.verb = "ACT-USER", .aid = tl1_string(options_.user), .trailing = {"", tl1_string(options_.password)}};
  const auto left = std::chrono::milliseconds(std::max(1, remaining_ms(deadline)));
  const auto unanswered = unanswered_sent_ns_;   // the login is never the caller's command
  auto r = roundtrip(login, left);
  unanswered_sent_ns_ = unanswered;
  if (!r) {
    close();
    if (r.error().code == Errc::denied) {
      Error e = r.error();
      e.code = Errc::unauthorized;
      return std::unexpected(e.context("log in to " + where + " as " + options_.user));
    }
    return std::unexpected(r.error().context("log in to " + where));
  }
  ++generation_;
  if (generation_ > 1) spdlog::info("{}: new session #{} (logged in again)", where, generation_);
  return {};
}

Result<void> Tl1Session::write_all(std::string_view bytes, std::int64_t deadline) {
  while (!bytes.empty()) {
    const auto n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (auto w = wait_fd(fd_.get(), POLLOUT, deadline, "send to " + options_.host); !w) return w;
        continue;
      }
      return fail_errno("send to " + options_.host, errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  last_io_mono_ns_ = monotonic_ns();
  return {};
}

Result<tl1::Reply> Tl1Session::read_reply(const std::string& ctag, std::int64_t deadline) {
  char buf[16384];
  for (auto it = early_.begin(); it != early_.end(); ++it) {
    if (it->ctag != ctag) continue;
    tl1::Reply r = std::move(*it);
    early_.erase(it);
    return r;
  }
  for (;;) {
    // Everything already buffered first: a reply may have arrived with the previous read.
    for (;;) {
      auto next = framer_.next();
      if (!next) return std::unexpected(next.error().context("reply from " + options_.host));
      if (!next->has_value()) break;
      if ((*next)->ctag == ctag) return std::move(**next);
      // Another ctag: a pipelined command answered out of order, or a stale reply. Keep a few.
      spdlog::debug("{}: holding a reply with ctag {} (waiting for {})", options_.name, (*next)->ctag, ctag);
      early_.push_back(std::move(**next));
      if (early_.size() > 256) early_.pop_front();
    }
    if (auto w = wait_fd(fd_.get(), POLLIN, deadline, "reply from " + options_.host + " (ctag " + ctag + ")"); !w)
      return std::unexpected(w.error());
    const auto n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return std::unexpected(fail_errno("recv from " + options_.host, errno).error());
    }
    if (n == 0) return fail(Errc::io, "the switch " + options_.host + " closed the session");
    last_io_mono_ns_ = monotonic_ns();
    framer_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

Result<Tl1Result> Tl1Session::roundtrip(tl1::Command cmd, std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) timeout = options_.command_timeout;
  const auto deadline = deadline_after(timeout);
  cmd.ctag = std::to_string(next_ctag_++);
  const std::string text = tl1::format_command(cmd) + "\r\n";
  Tl1Result out;
  out.sent_ns = realtime_ns();
  if (auto w = write_all(text, deadline); !w) {
    close();
    return std::unexpected(w.error().context(describe_command(cmd)));
  }
  unanswered_sent_ns_ = out.sent_ns;
  auto reply = read_reply(cmd.ctag, deadline);
  out.acked_ns = realtime_ns();
  if (!reply) {
    // A lost or confused session cannot be trusted with the next command: start afresh.
    close();
    return std::unexpected(reply.error().context(describe_command(cmd)));
  }
  unanswered_sent_ns_ = 0;   // answered (a DENY too: the command was not run)
  out.reply = std::move(*reply);
  return judge(cmd, std::move(out));
}

Result<Tl1Result> Tl1Session::judge(const tl1::Command& cmd, Tl1Result out) const {
  if (out.reply.completion == tl1::Completion::deny) {
    std::string msg = describe_command(cmd) + ": DENY " + (out.reply.error_code.empty() ? "(no code)" : out.reply.error_code);
    if (!out.reply.error_text.empty()) msg += " " + out.reply.error_text;
    // "Login Not Active": execute() logs in again and resends.
    const Cause cause = out.reply.error_code == "PLNA" ? Cause::tl1_login_lost : Cause::unspecified;
    return fail(Errc::denied, cause, msg);
  }
  if (out.reply.completion != tl1::Completion::compld && out.reply.completion != tl1::Completion::rtrv)
    return fail(Errc::protocol, describe_command(cmd) + ": completion " + std::string(tl1::to_string(out.reply.completion)));
  return out;
}

Result<std::vector<Result<Tl1Result>>> Tl1Session::execute_many(std::vector<tl1::Command> cmds,
                                                                 std::chrono::milliseconds timeout) {
  unanswered_sent_ns_ = 0;
  if (auto o = ensure_open(); !o) return std::unexpected(o.error());
  if (timeout.count() <= 0) timeout = options_.command_timeout;
  const auto deadline = deadline_after(timeout);
  std::string text;
  for (auto& cmd : cmds) {
    cmd.ctag = std::to_string(next_ctag_++);
    text += tl1::format_command(cmd) + "\r\n";
  }
  const auto sent_ns = realtime_ns();
  if (auto w = write_all(text, deadline); !w) {
    close();
    return std::unexpected(w.error().context(describe_command(cmds.front())));
  }
  unanswered_sent_ns_ = sent_ns;
  std::vector<Result<Tl1Result>> out;
  for (const auto& cmd : cmds) {
    // Replies come in order; read_reply skips any stray one with another ctag.
    auto reply = read_reply(cmd.ctag, deadline);
    if (!reply) {
      close();
      return std::unexpected(reply.error().context(describe_command(cmd)));
    }
    out.push_back(judge(cmd, Tl1Result{std::move(*reply), sent_ns, realtime_ns()}));
  }
  return out;
}

Result<Tl1Result> Tl1Session::execute(tl1::Command cmd, std::chrono::milliseconds timeout) {
  unanswered_sent_ns_ = 0;
  if (auto o = ensure_open(); !o) return std::unexpected(o.error());
  auto r = roundtrip(cmd, timeout);
  // "Login Not Active" (PLNA): the switch forgot our login (its own idle logout, a restart of its
  // TL1 agent). The command was not run, so logging in again and resending it is safe.
  if (!r && r.error().cause == Cause::tl1_login_lost) {
    spdlog::warn("{} {}: {}; logging in again", options_.name, options_.host, r.error().describe());
    if (auto o = open_locked(); !o) return std::unexpected(o.error());
    r = roundtrip(std::move(cmd), timeout);
  }
  return r;
}

void Tl1Session::keepalive_loop() {
  const auto period = std::chrono::duration_cast<std::chrono::milliseconds>(options_.keepalive);
  std::unique_lock stop_lock(stop_mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(stop_lock, std::min(period, std::chrono::milliseconds(1000)));
    if (stopping_) break;
    stop_lock.unlock();
    {
      // try_lock: a driver operation in progress is activity enough.
      std::unique_lock lock(mutex_, std::try_to_lock);
      if (lock.owns_lock() && fd_.valid() &&
          monotonic_ns() - last_io_mono_ns_ >= static_cast<std::int64_t>(period.count()) * 1'000'000) {
        auto r = roundtrip(options_.keepalive_command, std::chrono::milliseconds(0));
        if (!r && r.error().code != Errc::denied)
          spdlog::warn("{} {}: keep-alive failed ({}); the next command reconnects", options_.name,
                       options_.host, r.error().describe());
      }
    }
    stop_lock.lock();
  }
}

}  // namespace mixnet::ocs
