#pragma once
// The kernel side of the lab plane: one rtnetlink socket bound to a named network namespace, and
// the few changes the plane makes there (libnl-route-3, no external programs):
//   - link admin up/down (veth carrier on the far end follows it),
//   - the ingress qdisc, and on it one u32 match-all filter whose action is a mirred egress
//     redirect to another dev (one direction of a circuit),
//   - a tbf root qdisc (the bandwidth-cap fault).
// The socket is opened on a short-lived thread that has entered the namespace (setns), so it
// stays bound there whichever thread uses it later. Every call returns after the kernel's ACK,
// and waits at most kReplyTimeout for it. One object is not thread-safe; the plane serializes.
#include <map>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

struct nl_sock;

namespace mixnet::lab {

// A link as the kernel announces it (or as read on request): its name, whether it is admin up
// (IFF_UP: its owner set it up) and whether it is operationally up (IF_OPER_UP: the kernel's
// linkwatch has run for its last carrier change).
struct LinkAnnouncement {
  std::string dev;
  bool admin_up = false;
  bool oper_up = false;
};

class NamespaceNetlink {
 public:
  static Result<NamespaceNetlink> open(const std::string& netns);
  NamespaceNetlink(NamespaceNetlink&&) noexcept;
  NamespaceNetlink& operator=(NamespaceNetlink&&) noexcept;
  ~NamespaceNetlink();

  [[nodiscard]] const std::string& netns() const;

  Result<int> ifindex(const std::string& dev);   // cached after the first look-up
  Result<void> set_admin_up(const std::string& dev, bool up);
  // Asks the kernel for the link's state now (a socket that is not listening).
  Result<LinkAnnouncement> link_state(const std::string& dev);
  // Listening instead of asking: subscribes this socket to the namespace's link announcements
  // (RTNLGRP_LINK) and makes it non-blocking. Such an object is for listening only: its socket's
  // replies would mix with the announcements.
  Result<void> listen_links();
  [[nodiscard]] int fd() const;
  // Reads every announcement waiting (never blocks). True when the socket's receive queue had
  // overflowed: announcements were lost, and whoever tracks a state must read it again.
  Result<bool> read_link_announcements(const std::function<void(const LinkAnnouncement&)>& on_link);
  Result<void> ensure_ingress_qdisc(const std::string& dev);
  // Replaces the end's redirect filter (ingress, pref kRedirectPref) with one to `to_dev`.
  Result<void> set_redirect(const std::string& dev, const std::string& to_dev);
  Result<void> clear_redirect(const std::string& dev);   // fine when there is none
  // A tbf root qdisc limiting what leaves `dev` to `mbit` Mbit/s (1..kMaxRateMbit: libnl's tbf
  // rate is 32-bit bytes/s, and a veth pair on one machine carries no more anyway).
  Result<void> set_rate_cap(const std::string& dev, int mbit);
  Result<void> clear_root_qdisc(const std::string& dev);   // back to the default; fine when none

  static constexpr unsigned kRedirectPref = 10;
  static constexpr int kMaxRateMbit = 10'000;

 private:
  struct Impl;
  explicit NamespaceNetlink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixnet::lab
