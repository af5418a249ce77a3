#include "agent/netlink_reader.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "common/thread_priority.hpp"

namespace mixnet::agent {

Result<std::unique_ptr<NetlinkReader>> NetlinkReader::start(nic::LinkMonitor& monitor, int stamp_priority, OnRead on_read,
                                                            OnFailure on_failure) {
  UniqueFd stop(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop.valid()) return fail_errno("netlink reader: eventfd", errno);
  std::unique_ptr<NetlinkReader> reader(new NetlinkReader(monitor, std::move(stop), std::move(on_read), std::move(on_failure)));
  NetlinkReader* self = reader.get();
  reader->thread_ = std::thread([self, stamp_priority] { self->run(stamp_priority); });
  return reader;
}

NetlinkReader::NetlinkReader(nic::LinkMonitor& monitor, UniqueFd stop_fd, OnRead on_read, OnFailure on_failure)
    : monitor_(monitor), stop_fd_(std::move(stop_fd)), on_read_(std::move(on_read)), on_failure_(std::move(on_failure)) {}

NetlinkReader::~NetlinkReader() {
  const std::uint64_t one = 1;
  // An eventfd write of 1 cannot block or fail short here; poll() sees it at once.
  (void)!write(stop_fd_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

void NetlinkReader::run(int stamp_priority) {
  (void)pthread_setname_np(pthread_self(), "mx-netlink");
  if (stamp_priority > 0) raise_stamping_thread("netlink reader", stamp_priority);
  for (;;) {
    pollfd fds[2] = {{.fd = monitor_.fd(), .events = POLLIN, .revents = 0},
                     {.fd = stop_fd_.get(), .events = POLLIN, .revents = 0}};
    // No timeout: the stop eventfd ends the wait, and an idle agent must not wake for nothing.
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      on_failure_(fail_errno("netlink reader: poll", errno).error());
      return;
    }
    if ((fds[1].revents & POLLIN) != 0) return;
    if ((fds[0].revents & POLLNVAL) != 0) {
      on_failure_(Error{.code = Errc::io, .message = "netlink reader: the netlink socket was closed"});
      return;
    }
    // POLLIN, or POLLERR: a pending ENOBUFS, which drain() reads and reports as an overrun.
    if (!on_read_(monitor_.drain())) return;
  }
}

}  // namespace mixnet::agent
