// What the bench's C probes share (bench/netlink_floor.c, bench/link_event_client.c): the clock
// they stamp with, entering a named network namespace, and flipping the far end's admin state
// with one RTM_NEWLINK request. Define BENCH_PROGRAM (the program's name, for error messages)
// before including. Header-only: each probe is built by the bench with one cc command.
#ifndef MIXNET_BENCH_PROBE_H
#define MIXNET_BENCH_PROBE_H

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>  // before <linux/if.h>, which adds IFF_LOWER_UP
#include <linux/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline int64_t realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void die(const char* what) {
  fprintf(stderr, BENCH_PROGRAM ": %s: %s\n", what, strerror(errno));
  exit(1);
}

// The calling thread into the named network namespace (sockets it opens stay there).
static inline void enter_netns(const char* name) {
  char path[256];
  snprintf(path, sizeof path, "/run/netns/%s", name);
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path);
  if (setns(fd, CLONE_NEWNET) != 0) die("setns");
  close(fd);
}

// One RTM_NEWLINK request setting the admin state of `ifindex`; the kernel makes the change inside
// send(), and queues its ACK for read_flip_ack.
static inline void send_flip(int fd, int ifindex, int up, unsigned seq) {
  struct {
    struct nlmsghdr h;
    struct ifinfomsg i;
  } req = {.h = {.nlmsg_len = sizeof req, .nlmsg_type = RTM_NEWLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = seq},
           .i = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = up ? IFF_UP : 0, .ifi_change = IFF_UP}};
  if (send(fd, &req, sizeof req, 0) != (ssize_t)sizeof req) die("send RTM_NEWLINK");
}

static inline void read_flip_ack(int fd) {
  char buf[4096];
  const ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n < 0) die("recv ACK");
  const struct nlmsghdr* h = (const struct nlmsghdr*)buf;
  if (h->nlmsg_type == NLMSG_ERROR) {
    const struct nlmsgerr* e = NLMSG_DATA(h);
    if (e->error != 0) {
      errno = -e->error;
      die("RTM_NEWLINK");
    }
  }
}

#endif
