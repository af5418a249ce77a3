#include "agent/traffic/traffic_thread.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "common/thread_priority.hpp"

namespace mixnet::agent::traffic {

void begin_traffic_thread(const char* name) {
  (void)pthread_setname_np(pthread_self(), name);  // best effort: a name too long is only cosmetic
  // A failure is logged, the run goes on.
  if (auto ok = leave_realtime(); !ok) {
    spdlog::warn("traffic thread {}: cannot leave real-time priority: {}", name, ok.error().describe());
  }
}

}  // namespace mixnet::agent::traffic
