#pragma once
// One thread that runs callbacks at steady-clock deadlines, in deadline order. The plane's
// training delays and flaps run here, so circuit_made/circuit_broken never wait for them.
// Callbacks run without the timer's lock held (they take the plane's own lock); cancelling is
// up to the callback (the plane checks a per-end generation number).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace mixnet::lab {

class TimerThread {
 public:
  using Clock = std::chrono::steady_clock;
  TimerThread();
  ~TimerThread();   // drops what is still pending and joins
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  void at(Clock::time_point when, std::function<void()> fn);
  void stop();

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<Clock::time_point, std::function<void()>> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mixnet::lab
