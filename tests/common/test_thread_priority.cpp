// The one primitive for a thread's own scheduling (common/thread_priority.hpp). Each case runs in
// a thread of its own, so the test runner's thread keeps its policy. Tests run as root
// (CAP_SYS_NICE); the unprivileged case drops that in a child process.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "common/thread_priority.hpp"

using namespace mixnet;

namespace {

struct Policy {
  int policy = -1;
  int priority = -1;
};

Policy this_thread_policy() {
  Policy p;
  sched_param param{};
  if (pthread_getschedparam(pthread_self(), &p.policy, &param) == 0) p.priority = param.sched_priority;
  return p;
}

// Runs fn on a new thread and returns its result (Catch2 v2 assertions stay on the test thread).
template <class Fn>
auto on_own_thread(Fn fn) {
  decltype(fn()) out{};
  std::thread([&] { out = fn(); }).join();
  return out;
}

}  // namespace

TEST_CASE("enter_realtime puts the calling thread at SCHED_FIFO N, leave_realtime back at SCHED_OTHER", "[thread_priority]") {
  struct Seen {
    bool entered = false, left = false;
    Policy raised, lowered;
  };
  const auto seen = on_own_thread([] {
    Seen s;
    s.entered = enter_realtime(kDefaultStampPriority).has_value();
    s.raised = this_thread_policy();
    s.left = leave_realtime().has_value();
    s.lowered = this_thread_policy();
    return s;
  });
  CHECK(seen.entered);
  CHECK(seen.raised.policy == SCHED_FIFO);
  CHECK(seen.raised.priority == kDefaultStampPriority);
  CHECK(seen.left);
  CHECK(seen.lowered.policy == SCHED_OTHER);
  CHECK(seen.lowered.priority == 0);
}

TEST_CASE("a thread started by a real-time thread inherits its policy, and leave_realtime drops it", "[thread_priority]") {
  // What traffic threads rely on: they are created by the agent's raised io thread.
  struct Seen {
    Policy inherited, after_leave;
  };
  const auto seen = on_own_thread([] {
    Seen s;
    if (!enter_realtime(kDefaultStampPriority)) return s;
    std::thread([&] {
      s.inherited = this_thread_policy();
      (void)leave_realtime();
      s.after_leave = this_thread_policy();
    }).join();
    return s;
  });
  CHECK(seen.inherited.policy == SCHED_FIFO);
  CHECK(seen.after_leave.policy == SCHED_OTHER);
}

TEST_CASE("leave_realtime leaves a thread that is not real-time as it is", "[thread_priority]") {
  const auto seen = on_own_thread([] {
    sched_param param{};
    if (pthread_setschedparam(pthread_self(), SCHED_BATCH, &param) != 0) return Policy{};
    return leave_realtime() ? this_thread_policy() : Policy{};
  });
  CHECK(seen.policy == SCHED_BATCH);
}

TEST_CASE("enter_realtime rejects a priority outside 1..99, naming the field", "[thread_priority]") {
  for (const int bad : {0, -1, 100}) {
    INFO(bad);
    const auto r = enter_realtime(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().field == "priority");
  }
}

TEST_CASE("raise_stamping_thread: 0 leaves the thread as it is, N raises it", "[thread_priority]") {
  struct Seen {
    bool off_raised = true, on_raised = false;
    Policy after_off, after_on;
  };
  const auto seen = on_own_thread([] {
    Seen s;
    s.off_raised = raise_stamping_thread("test, off", 0);
    s.after_off = this_thread_policy();
    s.on_raised = raise_stamping_thread("test, on", 12);
    s.after_on = this_thread_policy();
    return s;
  });
  CHECK_FALSE(seen.off_raised);
  CHECK(seen.after_off.policy == SCHED_OTHER);
  CHECK(seen.on_raised);
  CHECK(seen.after_on.policy == SCHED_FIFO);
  CHECK(seen.after_on.priority == 12);
}

TEST_CASE("without CAP_SYS_NICE and RLIMIT_RTPRIO: denied, logged, not fatal", "[thread_priority]") {
  // A child that gives up root (and with it every capability) with RLIMIT_RTPRIO 0, as a service
  // without CAP_SYS_NICE or LimitRTPRIO runs. (Raising the limit needs CAP_SYS_RESOURCE, which
  // the test machines do not grant, so the allowed-by-rlimit side is the kernel's, sched(7).)
  // Exit status bits name what went wrong.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const rlimit none{0, 0};   // lowering a limit needs no privilege
    if (setrlimit(RLIMIT_RTPRIO, &none) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(64);
    int bad = 0;
    const auto denied = enter_realtime(10);
    if (denied.has_value() || denied.error().code != Errc::denied) bad |= 1;
    if (raise_stamping_thread("test, unprivileged", 10)) bad |= 2;   // logs its warning, returns false
    if (this_thread_policy().policy != SCHED_OTHER) bad |= 4;
    _exit(bad);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
