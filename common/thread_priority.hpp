#pragma once
// The calling thread's scheduling: take real-time priority (SCHED_FIFO), or leave it. The one
// place where a thread of ours changes its own policy.
//
// Why: a timestamp taken by a thread is late by however long that thread waited for a core after
// its event. On a host whose cores are all busy (training jobs, compilers) a normal-priority
// thread waits milliseconds; a SCHED_FIFO thread runs the moment it is runnable. So the threads
// that stamp events (the agent's carrier poller, netlink reader and probe receiver, the
// emulator's ground-truth clock, the coordinator's command stamps) take it themselves. Threads
// that spin (traffic senders) must never hold it: they would starve the kernel's own workers
// (softirq, link watch) and make traffic and stamps worse, so they leave it.
#include <string_view>

#include "common/result.hpp"

namespace mixnet {

// The SCHED_FIFO priority stamping threads take unless told otherwise: above every normal thread,
// below the kernel's real-time threads (threaded interrupt handlers run at 50), so a NIC's
// interrupts are still served first. 0 means: leave the thread's scheduling as it is.
inline constexpr int kDefaultStampPriority = 10;
inline constexpr int kMaxStampPriority = 99;

// The calling thread to SCHED_FIFO `priority` (1..99; else Errc::invalid_argument). Errc::denied
// when the process may not: it has no CAP_SYS_NICE and its RLIMIT_RTPRIO is below `priority`
// (or, with real-time group scheduling, its cgroup has no real-time budget).
Result<void> enter_realtime(int priority);

// The calling thread to SCHED_OTHER when it runs a real-time policy (SCHED_FIFO, SCHED_RR, by
// its own call or inherited from the thread that created it); any other policy is left alone.
// Lowering one's own priority needs no privilege.
Result<void> leave_realtime();

// For a thread that stamps events: enter_realtime(priority), 0 doing nothing. When that fails,
// one warning naming this thread (its kernel name and `role`, what it stamps), what it means for
// its timestamps and how to allow it; never fatal. Returns whether the thread now runs at
// SCHED_FIFO `priority`.
bool raise_stamping_thread(std::string_view role, int priority);

}  // namespace mixnet
