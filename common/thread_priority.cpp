#include "common/thread_priority.hpp"

#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>
#include <string>
#include <sys/resource.h>

namespace mixnet {

namespace {

std::string this_thread_name() {
  char name[16] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return "?";
  return name;
}

std::string rtprio_limit_text() {
  rlimit lim{};
  if (getrlimit(RLIMIT_RTPRIO, &lim) != 0) return "unknown";
  return lim.rlim_cur == RLIM_INFINITY ? std::string("unlimited") : std::to_string(lim.rlim_cur);
}

}  // namespace

Result<void> enter_realtime(int priority) {
  if (priority < 1 || priority > kMaxStampPriority) {
    return fail(Errc::invalid_argument, "SCHED_FIFO priority " + std::to_string(priority) + " is not in 1..99", "priority");
  }
  sched_param param{};
  param.sched_priority = priority;
  if (const int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param); err != 0) {
    return fail_errno("set SCHED_FIFO " + std::to_string(priority), err);
  }
  return {};
}

Result<void> leave_realtime() {
  int policy = 0;
  sched_param param{};
  if (const int err = pthread_getschedparam(pthread_self(), &policy, &param); err != 0) {
    return fail_errno("read scheduling policy", err);
  }
  if (policy != SCHED_FIFO && policy != SCHED_RR) return {};
  param.sched_priority = 0;
  if (const int err = pthread_setschedparam(pthread_self(), SCHED_OTHER, &param); err != 0) {
    return fail_errno("set SCHED_OTHER", err);
  }
  return {};
}

bool raise_stamping_thread(std::string_view role, int priority) {
  if (priority == 0) return false;
  const std::string thread = this_thread_name();
  auto ok = enter_realtime(priority);
  if (ok) {
    // Quiet when it works (debug): only the failure changes what the timestamps are worth.
    spdlog::debug("thread {} ({}): real-time priority SCHED_FIFO {}", thread, role, priority);
    return true;
  }
  if (ok.error().code == Errc::denied) {
    spdlog::warn(
        "thread {} ({}): not allowed to take real-time priority SCHED_FIFO {} ({}; RLIMIT_RTPRIO {}): it runs at normal "
        "priority, and on a busy host its timestamps are late by however long it waits for a core (milliseconds). "
        "Allow it with CAP_SYS_NICE or RLIMIT_RTPRIO >= {} (systemd: LimitRTPRIO={}); --stamp-priority 0 runs at "
        "normal priority without this warning",
        thread, role, priority, ok.error().message, rtprio_limit_text(), priority, priority);
  } else {
    spdlog::warn("thread {} ({}): cannot take real-time priority: {}; it runs at normal priority, and on a busy host "
                 "its timestamps can be late by milliseconds",
                 thread, role, ok.error().describe());
  }
  return false;
}

}  // namespace mixnet
