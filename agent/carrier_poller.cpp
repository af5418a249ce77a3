#include "agent/carrier_poller.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/clock.hpp"
#include "common/thread_priority.hpp"

namespace mixnet::agent {

CarrierPoller::CarrierPoller(std::vector<std::string> ports, std::chrono::microseconds period, int stamp_priority,
                             OnChange on_change)
    : period_(period), stamp_priority_(stamp_priority), on_change_(std::move(on_change)) {
  for (auto& name : ports) {
    Port p{.name = name};
    const std::string dir = "/sys/class/net/" + name + "/";
    UniqueFd* fds[] = {&p.carrier_fd, &p.up_fd, &p.down_fd};
    const char* files[] = {"carrier", "carrier_up_count", "carrier_down_count"};
    bool opened = true;
    for (std::size_t i = 0; i < 3 && opened; ++i) {
      fds[i]->reset(::open((dir + files[i]).c_str(), O_RDONLY | O_CLOEXEC));
      if (!fds[i]->valid()) {
        spdlog::warn("carrier poll: cannot open {}{}: {}; {} is followed by netlink only", dir, files[i], std::strerror(errno), name);
        opened = false;
      }
    }
    if (!opened) continue;  // the files opened so far close with p
    learn_state(p);
    ports_.push_back(std::move(p));
  }
  if (!ports_.empty()) thread_ = std::thread([this] { run(); });
}

CarrierPoller::~CarrierPoller() {
  {
    std::lock_guard lock(mu_);
    stop_.store(true);
  }
  armed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

CarrierPoller::Armed CarrierPoller::arm(const std::vector<std::string>& ports, std::chrono::milliseconds window) {
  Armed out;
  const std::int64_t now_mono = monotonic_ns();
  const std::int64_t until = now_mono + std::chrono::nanoseconds(window).count();
  std::int64_t latest = 0;
  {
    std::lock_guard lock(mu_);
    for (auto& p : ports_) {
      if (!ports.empty() && std::find(ports.begin(), ports.end(), p.name) == ports.end()) continue;
      if (p.armed_until <= now_mono) p.relearn = true;   // not read while it was idle
      p.armed_until = std::max(p.armed_until, until);
      latest = std::max(latest, p.armed_until);
      out.ports.push_back(p.name);
    }
  }
  armed_.notify_all();
  if (!out.ports.empty()) out.until_ns = realtime_ns() + (latest - now_mono);
  return out;
}

std::vector<std::string> CarrierPoller::ports() const {
  std::vector<std::string> out;
  for (const auto& p : ports_) out.push_back(p.name);
  return out;
}

std::optional<bool> CarrierPoller::read_carrier(int fd) {
  char buf[8];
  // sysfs regenerates an attribute on every read from offset 0.
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  if (n <= 0) return std::nullopt;
  if (buf[0] == '1') return true;
  if (buf[0] == '0') return false;
  return std::nullopt;
}

std::optional<std::uint64_t> CarrierPoller::read_count(int fd) {
  char buf[24];
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  if (n <= 0) return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(buf, buf + n, v);
  if (ec != std::errc() || end == buf || (end != buf + n && *end != '\n')) return std::nullopt;
  return v;
}

std::optional<bool> CarrierPoller::carrier_after(bool before, Counts was, Counts now) {
  if (now.up < was.up || now.down < was.down) return std::nullopt;
  const std::uint64_t transitions = (now.up - was.up) + (now.down - was.down);
  if (transitions % 2 == 0) return std::nullopt;
  return !before;
}

std::optional<CarrierPoller::Counts> CarrierPoller::read_counts(const Port& p) {
  const auto up = read_count(p.up_fd.get());
  const auto down = read_count(p.down_fd.get());
  if (!up || !down) return std::nullopt;
  return Counts{*up, *down};
}

void CarrierPoller::learn_state(Port& p) {
  // The counts around the reading of the state must agree, or a transition fell between them and
  // the state might not be the one the counts describe.
  for (int attempt = 0; attempt < 8; ++attempt) {
    const auto before = read_counts(p);
    const auto state = read_carrier(p.carrier_fd.get());
    const auto after = read_counts(p);
    if (!before || !after) break;
    p.counts = *after;
    if (before->up == after->up && before->down == after->down) {
      p.carrier = state;
      return;
    }
  }
  p.carrier.reset();   // learned at the next transition
}

std::optional<std::int64_t> CarrierPoller::last_change(const std::string& port, bool carrier) const {
  std::lock_guard lock(mu_);
  const auto it = last_change_.find({port, carrier});
  if (it == last_change_.end()) return std::nullopt;
  return it->second;
}

void CarrierPoller::run() {
  (void)pthread_setname_np(pthread_self(), "mx-carrier");
  raise_stamping_thread("carrier poller", stamp_priority_);
  const long period_ns = static_cast<long>(period_.count()) * 1000;
  std::vector<Port*> armed;
  std::vector<Port*> fresh;
  timespec next{};
  while (!stop_.load(std::memory_order_relaxed)) {
    armed.clear();
    fresh.clear();
    {
      std::unique_lock lock(mu_);
      // Nothing armed: sleep until an arm() (or the destructor); no reads, no wake-ups.
      for (;;) {
        if (stop_.load(std::memory_order_relaxed)) return;
        const std::int64_t now = monotonic_ns();
        for (auto& p : ports_) {
          if (p.armed_until <= now) continue;
          armed.push_back(&p);
          if (p.relearn) fresh.push_back(&p);
          p.relearn = false;
        }
        if (!armed.empty()) break;
        armed_.wait(lock);
        ::clock_gettime(CLOCK_MONOTONIC, &next);   // a new window's period counts from its start
      }
    }
    // Newly armed ports: their counts moved unread while idle (netlink journaled those changes).
    for (Port* p : fresh) learn_state(*p);
    for (Port* p : armed) {
      const auto counts = read_counts(*p);
      reads_.fetch_add(1, std::memory_order_relaxed);
      const std::int64_t read_ns = realtime_ns();   // after the read: an upper bound of the change
      if (!counts || (counts->up == p->counts.up && counts->down == p->counts.down)) continue;
      // Without a known state to count from (the port was not running, or was re-created), learn
      // it; that first reading is not a change to report.
      const auto now = p->carrier ? carrier_after(*p->carrier, p->counts, *counts) : std::nullopt;
      const bool counted_from_nothing = !p->carrier || (counts->up < p->counts.up || counts->down < p->counts.down);
      p->counts = *counts;
      if (counted_from_nothing) {
        learn_state(*p);
        continue;
      }
      if (!now) continue;   // flapped back within one period
      p->carrier = now;
      {
        std::lock_guard lock(mu_);
        last_change_[{p->name, *now}] = read_ns;
      }
      on_change_(p->name, *now, read_ns);
    }
    // Absolute deadlines: the period does not stretch by the time the reads took.
    next.tv_nsec += period_ns;
    while (next.tv_nsec >= 1'000'000'000) {
      next.tv_nsec -= 1'000'000'000;
      ++next.tv_sec;
    }
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec)) next = now;  // fell behind: no burst
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
  }
}

}  // namespace mixnet::agent
