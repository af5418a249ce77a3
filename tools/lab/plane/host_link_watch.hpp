#pragma once
// HostLinkWatch: what the lab plane hears from the NIC ports. One RTNLGRP_LINK socket per host
// namespace (NamespaceNetlink::listen_links) and one thread that reads them as announcements come
// and passes those of the watched NIC ports (each end's host_netns/host_dev) to its listeners, in
// order: the plane (a NIC's admin state: a port set admin down stops transmitting) and the
// linkwatch pump (a carrier change announced). One set of sockets, whoever listens.
//
// The admin state of every watched port is read at open, after subscribing, so no change falls
// between the read and the announcements. When a socket's receive queue overflowed (announcements
// lost), every watched port of that namespace is read again and passed on as if announced.
// Listeners run on the watch's thread with no lock of the watch held; they take their own.
#include <compare>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "tools/lab/plane/netns_netlink.hpp"

namespace mixnet::lab {

struct NicPort {
  std::string netns;
  std::string dev;
  friend auto operator<=>(const NicPort&, const NicPort&) = default;
};

struct NicLinkState {
  NicPort port;
  bool admin_up = false;
  bool oper_up = false;
};

class HostLinkWatch {
 public:
  using Listener = std::function<void(const NicLinkState&)>;

  // Subscribes in every namespace of `ports`, then reads each port's state. Errors name the
  // namespace or the dev that is not there.
  static Result<std::unique_ptr<HostLinkWatch>> open(const std::vector<NicPort>& ports);
  ~HostLinkWatch();   // stops
  HostLinkWatch(const HostLinkWatch&) = delete;
  HostLinkWatch& operator=(const HostLinkWatch&) = delete;

  // Each watched port's state as read at open.
  [[nodiscard]] const std::map<NicPort, NicLinkState>& at_open() const { return at_open_; }
  // Starts the thread (once); every announcement of a watched port goes to each listener in turn.
  Result<void> start(std::vector<Listener> listeners);
  // Joins the thread; after it returns no listener runs. Idempotent.
  void stop();

 private:
  struct Namespace {
    std::string netns;
    NamespaceNetlink listener;
    std::set<std::string> devs;      // the watched ports there
  };

  HostLinkWatch(std::vector<Namespace> namespaces, std::map<NicPort, NicLinkState> at_open, UniqueFd wake);
  void run();
  void hear(Namespace& ns);
  void read_again(Namespace& ns);
  void tell(const NicLinkState& state);

  std::vector<Namespace> namespaces_;   // the thread's only, once started
  std::map<NicPort, NicLinkState> at_open_;
  std::vector<Listener> listeners_;
  UniqueFd wake_;                       // eventfd: stop() wakes the thread's poll
  bool warned_ = false;
  std::thread thread_;
};

}  // namespace mixnet::lab
