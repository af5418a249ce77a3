#pragma once
// Link changes as they happen: an rtnetlink socket subscribed to RTNLGRP_LINK (multicast), so
// the kernel tells us; nothing polls. The owner waits for fd() to become readable (an Asio
// stream_descriptor in the agent) and then calls drain().
#include <memory>
#include <optional>
#include <vector>

#include "common/result.hpp"
#include "hwdrivers/nic/netdev.hpp"

namespace mixnet::nic {

class LinkMonitor {
 public:
  static Result<LinkMonitor> open();   // in the calling thread's network namespace
  LinkMonitor(LinkMonitor&&) noexcept;
  LinkMonitor& operator=(LinkMonitor&&) noexcept;
  ~LinkMonitor();

  [[nodiscard]] int fd() const;        // non-blocking

  // Reads every pending message; each LinkState is stamped when its message was read. A kernel
  // buffer overrun (ENOBUFS) or a truncated message is Errc::io with Cause::netlink_overrun, so the
  // owner can re-read the full link table and journal what changed meanwhile.
  Result<std::vector<LinkState>> drain();

 private:
  struct Impl;
  explicit LinkMonitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Turns a stream of LinkStates into events, reporting only real changes (netlink repeats a link's
// state on many unrelated attribute changes).
enum class LinkEventKind { link_up, link_down, admin_up, admin_down, oper_state, added, removed };
const char* to_string(LinkEventKind kind);

struct LinkChange {
  LinkEventKind kind;
  LinkState state;            // the state after the change
  std::string previous_oper;  // for oper_state: what it was before
};

class LinkChangeDetector {
 public:
  void seed(const LinkState& current);                    // known state at start-up: no event
  std::vector<LinkChange> update(const LinkState& next);  // the events this message implies
  // What is known of a link now (read_time_ns 0), for a source that sees only part of it.
  [[nodiscard]] std::optional<LinkState> known(int ifindex) const;
 private:
  struct Known { bool admin_up; bool carrier; std::string oper_state; std::string name; };
  std::vector<std::pair<int, Known>> known_;
};

}  // namespace mixnet::nic
