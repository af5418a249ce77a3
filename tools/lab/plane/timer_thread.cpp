#include "tools/lab/plane/timer_thread.hpp"

#include <spdlog/spdlog.h>

namespace mixnet::lab {

TimerThread::TimerThread() : thread_([this] { run(); }) {}

TimerThread::~TimerThread() { stop(); }

void TimerThread::at(Clock::time_point when, std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    pending_.emplace(when, std::move(fn));
  }
  wake_.notify_one();
}

void TimerThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    pending_.clear();
  }
  wake_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TimerThread::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (pending_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const auto first = pending_.begin();
    if (first->first > Clock::now()) {
      wake_.wait_until(lock, first->first);
      continue;
    }
    auto fn = std::move(first->second);
    pending_.erase(first);
    lock.unlock();
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("lab plane: timer callback threw: {}", e.what());
    }
    lock.lock();
  }
}

}  // namespace mixnet::lab
