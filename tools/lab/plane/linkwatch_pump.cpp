#include "tools/lab/plane/linkwatch_pump.hpp"

#include <spdlog/spdlog.h>

namespace mixnet::lab {

Result<std::unique_ptr<LinkwatchPump>> LinkwatchPump::open(const std::string& netns, const std::string& dev) {
  auto netlink = NamespaceNetlink::open(netns);
  if (!netlink) return std::unexpected(netlink.error().context("linkwatch pump"));
  if (auto index = netlink->ifindex(dev); !index) {
    Error e = index.error().context("linkwatch pump");
    e.field = "linkwatch_kick";
    return std::unexpected(e);
  }
  // Start from down: a pump that never runs leaves it so.
  if (auto ok = netlink->set_admin_up(dev, false); !ok) return std::unexpected(ok.error().context("linkwatch pump"));
  return std::unique_ptr<LinkwatchPump>(new LinkwatchPump(std::move(*netlink), dev));
}

LinkwatchPump::LinkwatchPump(NamespaceNetlink netlink, std::string dev)
    : netlink_(std::move(netlink)), dev_(std::move(dev)), thread_([this] { run(); }) {}

LinkwatchPump::~LinkwatchPump() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LinkwatchPump::expect(const std::string& host_netns, const std::string& host_dev, bool up) {
  bool was_idle = false;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    was_idle = !busy(now);
    awaited_[{host_netns, host_dev}] = Awaited{up, now};
    grace_until_ = now + kGrace;
  }
  if (was_idle) wake_.notify_one();
}

void LinkwatchPump::forget(const std::string& host_netns, const std::string& host_dev) {
  std::lock_guard lock(mutex_);
  awaited_.erase({host_netns, host_dev});
}

std::size_t LinkwatchPump::awaited() const {
  std::lock_guard lock(mutex_);
  return awaited_.size();
}

bool LinkwatchPump::busy(Clock::time_point now) const { return !awaited_.empty() || grace_until_ > now; }

void LinkwatchPump::heard(const std::string& host_netns, const std::string& host_dev, bool oper_up) {
  std::lock_guard lock(mutex_);
  const auto it = awaited_.find({host_netns, host_dev});
  if (it != awaited_.end() && it->second.up == oper_up) awaited_.erase(it);
}

void LinkwatchPump::give_up_late(Clock::time_point now) {
  for (auto it = awaited_.begin(); it != awaited_.end();) {
    if (now - it->second.since <= kGiveUp) {
      ++it;
      continue;
    }
    // A port whose NIC is admin down never announces carrier: it must not pump for ever.
    spdlog::debug("lab plane: linkwatch pump: {} in {} not announced {} within {} s; no longer waiting for it", it->first.second,
                  it->first.first, it->second.up ? "up" : "down", kGiveUp.count());
    gave_up_.fetch_add(1);
    it = awaited_.erase(it);
  }
}

void LinkwatchPump::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!busy(Clock::now())) {
      wake_.wait(lock);
      continue;
    }
    lock.unlock();
    spare_up_ = !spare_up_;
    if (auto ok = netlink_.set_admin_up(dev_, spare_up_); !ok) {
      if (!warned_) spdlog::warn("lab plane: linkwatch pump: {}", ok.error().describe());
      warned_ = true;
    } else {
      flips_.fetch_add(1);
    }
    lock.lock();
    give_up_late(Clock::now());
    // A period, or less when told to stop (an expect() while busy needs no wake-up).
    wake_.wait_for(lock, kPeriod, [this] { return stopping_; });
  }
}

}  // namespace mixnet::lab
