#pragma once
// Asks the kernel whether a port can carry traffic right now: one RTM_GETLINK for one ifindex over
// a private rtnetlink socket; the answer's flags say whether the port is up, has carrier
// (IFF_LOWER_UP, the driver's bit, set at once) and is in service (IFF_RUNNING: the kernel's link
// watch has seen the carrier and activated the port's queue; until then, up to a second later for
// a non-urgent change, every packet sent is dropped). Cheap enough to ask every millisecond. The
// socket lives in the agent's network namespace, so the answer is about the port the traffic
// uses (a sysfs read could be about another namespace's). One object per thread.
#include "agent/traffic/tcp_socket.hpp"
#include "common/result.hpp"

namespace mixnet::agent::traffic {

class PortCarrier {
 public:
  static Result<PortCarrier> open(int ifindex);
  // true: up, carrier and in service; false: not (yet); an error when the kernel did not answer.
  Result<bool> in_service();

 private:
  PortCarrier(UniqueFd fd, int ifindex) : fd_(std::move(fd)), ifindex_(ifindex) {}
  UniqueFd fd_;
  int ifindex_ = 0;
  unsigned seq_ = 0;
};

}  // namespace mixnet::agent::traffic
