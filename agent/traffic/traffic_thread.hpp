#pragma once
// How every traffic worker thread starts: under a name (so a test or an operator can find it in
// /proc) and at normal scheduling priority, whatever the thread that created it ran at.
//
// Why: the agent's event-stamping threads run at SCHED_FIFO (--stamp-priority), and threads
// created later inherit that policy. A sender spinning on send() at real-time priority never
// yields to the kernel's own workers (softirq threads, the link watch that activates a port's
// queue on carrier) and on a 2-core machine starves them: the traffic it measures, and the event
// stamps, get worse, not better. Traffic threads therefore run SCHED_OTHER (leave_realtime in
// common/thread_priority.hpp); only the threads that read events keep the raised priority.
namespace mixnet::agent::traffic {

// Call first thing in the thread. `name` is at most 15 characters (the kernel's limit).
// A real-time policy (SCHED_FIFO, SCHED_RR) becomes SCHED_OTHER; any other policy is left alone.
void begin_traffic_thread(const char* name);

}  // namespace mixnet::agent::traffic
