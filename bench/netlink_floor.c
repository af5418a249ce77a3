// The kernel's floor under the agent's link-event stamp (bench/agent-link-events.sh): how long
// after a far-end admin change a reader that waits in recv() on an RTNLGRP_LINK socket in the
// agent's namespace holds the near end's RTM_NEWLINK. Measured the way the bench measures the
// agent: the far end is flipped down and up with one RTM_NEWLINK request each from a socket in the
// far namespace, "it happened" is CLOCK_REALTIME just before that request is sent, "read" is
// CLOCK_REALTIME just after recv() returns the near end's message with the new carrier bit.
//
// Usage: netlink_floor AGENT_NS FAR_NS NEAR_IF FAR_IF FLIPS [FIFO_PRIORITY]
// Prints one line per flip seen: the delay in nanoseconds. FIFO_PRIORITY (default 0: normal) puts
// the reader at SCHED_FIFO like the agent's stamping thread (--stamp-priority). Leaves the far end
// up. Asserts nothing about timing; the bench prints the figures.
#define _GNU_SOURCE
#define BENCH_PROGRAM "netlink_floor"
#include <pthread.h>

#include "bench_probe.h"

static int route_socket(unsigned groups) {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die("socket(NETLINK_ROUTE)");
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
  if (bind(fd, (struct sockaddr*)&sa, sizeof sa) != 0) die("bind netlink");
  // Bounded waits: the reader checks for the end, the flipper never hangs on a lost ACK.
  struct timeval tv = {.tv_sec = 1};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) die("SO_RCVTIMEO");
  return fd;
}

// Shared between the flipper (main thread) and the reader.
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen_cond = PTHREAD_COND_INITIALIZER;
static int armed;          // a flip is under way; the reader waits for want_carrier on near_index
static int want_carrier;
static int64_t seen_ns;    // when the reader read it; 0 until then
static int stopping;
static int watch_fd;
static int near_index;

static void* reader(void* arg) {
  const int priority = *(const int*)arg;
  if (priority > 0) {
    struct sched_param sp = {.sched_priority = priority};
    const int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    if (err != 0) fprintf(stderr, "netlink_floor: SCHED_FIFO %d: %s (reader at normal priority)\n", priority, strerror(err));
  }
  static char buf[65536];
  for (;;) {
    const ssize_t n = recv(watch_fd, buf, sizeof buf, 0);
    const int64_t now = realtime_ns();  // first thing after the read, as the agent stamps
    pthread_mutex_lock(&lock);
    const int stop = stopping;
    pthread_mutex_unlock(&lock);
    if (stop) return NULL;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS) continue;
      die("recv RTNLGRP_LINK");
    }
    int len = (int)n;
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) continue;
      const struct ifinfomsg* ifi = NLMSG_DATA(h);
      if (ifi->ifi_family != AF_UNSPEC || ifi->ifi_index != near_index) continue;
      const int carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
      pthread_mutex_lock(&lock);
      if (armed && carrier == want_carrier && seen_ns == 0) {
        seen_ns = now;
        pthread_cond_signal(&seen_cond);
      }
      pthread_mutex_unlock(&lock);
    }
  }
}

// The far end's admin state, and its ACK.
static void set_far(int fd, int ifindex, int up, unsigned seq) {
  send_flip(fd, ifindex, up, seq);
  read_flip_ack(fd);
}

int main(int argc, char** argv) {
  if (argc < 6 || argc > 7) {
    fprintf(stderr, "usage: netlink_floor AGENT_NS FAR_NS NEAR_IF FAR_IF FLIPS [FIFO_PRIORITY]\n");
    return 2;
  }
  const int flips = atoi(argv[5]);
  int priority = argc == 7 ? atoi(argv[6]) : 0;
  if (flips <= 0 || flips > 100000 || priority < 0 || priority > 99) {
    fprintf(stderr, "netlink_floor: FLIPS must be 1..100000 and FIFO_PRIORITY 0..99\n");
    return 2;
  }
  enter_netns(argv[1]);
  near_index = (int)if_nametoindex(argv[3]);
  if (near_index == 0) die(argv[3]);
  watch_fd = route_socket(RTMGRP_LINK);
  enter_netns(argv[2]);
  const int far_index = (int)if_nametoindex(argv[4]);
  if (far_index == 0) die(argv[4]);
  const int flip_fd = route_socket(0);

  pthread_t t;
  if (pthread_create(&t, NULL, reader, &priority) != 0) die("pthread_create");
  int missing = 0;
  for (int i = 0; i < flips; ++i) {
    const int up = i % 2 == 1;
    const struct timespec pause = {.tv_nsec = 20 * 1000 * 1000};  // as the bench: the reader is parked
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&lock);
    armed = 1;
    want_carrier = up;
    seen_ns = 0;
    pthread_mutex_unlock(&lock);
    const int64_t t0 = realtime_ns();
    set_far(flip_fd, far_index, up, (unsigned)i + 1);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&lock);
    while (seen_ns == 0) {
      if (pthread_cond_timedwait(&seen_cond, &lock, &until) == ETIMEDOUT) break;
    }
    const int64_t seen = seen_ns;
    armed = 0;
    pthread_mutex_unlock(&lock);
    if (seen == 0) {
      ++missing;
      continue;
    }
    printf("%lld\n", (long long)(seen - t0));
  }
  if (flips % 2 == 1) set_far(flip_fd, far_index, 1, (unsigned)flips + 1);
  pthread_mutex_lock(&lock);
  stopping = 1;
  pthread_mutex_unlock(&lock);
  pthread_join(t, NULL);  // its recv times out within a second
  if (missing > 0) fprintf(stderr, "netlink_floor: %d flip(s) not seen within 5 s\n", missing);
  return 0;
}
