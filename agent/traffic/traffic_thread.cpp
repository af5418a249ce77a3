#include "agent/traffic/traffic_thread.hpp"

#include <cstring>
#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>

namespace mixnet::agent::traffic {

void begin_traffic_thread(const char* name) {
  (void)pthread_setname_np(pthread_self(), name);  // best effort: a name too long is only cosmetic
  int policy = 0;
  sched_param param{};
  if (pthread_getschedparam(pthread_self(), &policy, &param) != 0) return;
  if (policy != SCHED_FIFO && policy != SCHED_RR) return;
  param.sched_priority = 0;
  // Lowering a thread's own priority needs no privilege; a failure is logged, the run goes on.
  if (const int err = pthread_setschedparam(pthread_self(), SCHED_OTHER, &param); err != 0) {
    spdlog::warn("traffic thread {}: cannot leave real-time priority: {}", name, std::strerror(err));
  }
}

}  // namespace mixnet::agent::traffic
