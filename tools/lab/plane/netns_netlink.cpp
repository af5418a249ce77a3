// NamespaceNetlink: links, qdiscs and the redirect filter over one rtnetlink socket that belongs
// to a named namespace. libnl's tc objects map one to one onto what
//   tc -n NS filter add dev A parent ffff: pref 10 protocol all u32 match u32 0 0
//      action mirred egress redirect dev B      (one command line)
// sends, without a process per change (a circuit change costs a few netlink round trips).
#include "tools/lab/plane/netns_netlink.hpp"

#include <fcntl.h>
// glibc's <net/if.h> before the kernel's <linux/if.h>: in that order linux/libc-compat.h keeps
// them from defining the same flags twice (the other order fails when both meet in one unit).
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include <fmt/format.h>
#include <netlink/netlink.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/action.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>
#include <netlink/socket.h>

#include "common/unique_fd.hpp"

namespace mixnet::lab {

namespace {

constexpr int kReplyTimeoutSeconds = 5;
constexpr std::uint32_t kIngressHandle = 0xffff0000U;   // "ffff:", the ingress qdisc
constexpr std::uint32_t kRootHandle = 0x00010000U;      // "1:", the cap's tbf

template <auto Fn>
struct FnDeleter {
  template <class T>
  void operator()(T* p) const noexcept { if (p != nullptr) Fn(p); }
};
using SockPtr = std::unique_ptr<nl_sock, FnDeleter<nl_socket_free>>;
using LinkPtr = std::unique_ptr<rtnl_link, FnDeleter<rtnl_link_put>>;
using QdiscPtr = std::unique_ptr<rtnl_qdisc, FnDeleter<rtnl_qdisc_put>>;
using ClsPtr = std::unique_ptr<rtnl_cls, FnDeleter<rtnl_cls_put>>;
using ActPtr = std::unique_ptr<rtnl_act, FnDeleter<rtnl_act_put>>;

std::unexpected<Error> fail_nl(const std::string& what, int err) {
  const int code = err < 0 ? -err : err;
  Errc errc = Errc::io;
  if (code == NLE_OBJ_NOTFOUND || code == NLE_NODEV) errc = Errc::not_found;
  else if (code == NLE_EXIST) errc = Errc::conflict;
  else if (code == NLE_INVAL || code == NLE_RANGE) errc = Errc::invalid_argument;
  else if (code == NLE_AGAIN) errc = Errc::timeout;
  return fail(errc, fmt::format("{}: {}", what, nl_geterror(code)));
}

LinkAnnouncement announcement_of(rtnl_link* link, const char* name) {
  return LinkAnnouncement{name, (rtnl_link_get_flags(link) & IFF_UP) != 0, rtnl_link_get_operstate(link) == IF_OPER_UP};
}

bool absent(int err) {
  const int code = err < 0 ? -err : err;
  return code == NLE_OBJ_NOTFOUND || code == NLE_NOADDR || code == NLE_NODEV;
}

// Opens and connects the socket on a thread inside the namespace; the socket keeps that
// namespace after the thread is gone.
Result<SockPtr> connect_in(const std::string& netns) {
  Result<SockPtr> out = fail(Errc::internal, "not run");
  std::thread worker([&] {
    const std::string path = "/run/netns/" + netns;
    UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.valid()) {
      out = std::unexpected(fail_errno("netns: open " + path, errno).error());
      out.error().field = "netns";
      return;
    }
    const int rc = ::setns(ns.get(), CLONE_NEWNET);
    const int err = errno;
    ns.reset();
    if (rc != 0) {
      out = fail_errno("setns " + path, err);
      return;
    }
    SockPtr sock(nl_socket_alloc());
    if (!sock) {
      out = fail(Errc::io, "nl_socket_alloc: out of memory");
      return;
    }
    if (const int e = nl_connect(sock.get(), NETLINK_ROUTE); e < 0) {
      out = fail_nl("connect rtnetlink in " + netns, e);
      return;
    }
    // Every wait for the kernel's reply has a deadline.
    timeval tv{kReplyTimeoutSeconds, 0};
    const int nl_fd = nl_socket_get_fd(sock.get());
    if (::setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        ::setsockopt(nl_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
      out = fail_errno("rtnetlink reply deadline in " + netns, errno);
      return;
    }
    out = std::move(sock);
  });
  worker.join();
  return out;
}

}  // namespace

struct NamespaceNetlink::Impl {
  std::string netns;
  SockPtr sock;
  std::map<std::string, int> ifindex_cache;

  Result<LinkPtr> link(int index) {
    rtnl_link* raw = nullptr;
    if (const int err = rtnl_link_get_kernel(sock.get(), index, nullptr, &raw); err < 0) {
      return fail_nl(fmt::format("read link #{} in {}", index, netns), err);
    }
    return LinkPtr(raw);
  }

  Result<QdiscPtr> qdisc(int index, std::uint32_t parent, std::uint32_t handle, const char* kind) {
    QdiscPtr q(rtnl_qdisc_alloc());
    if (!q) return fail(Errc::io, "rtnl_qdisc_alloc: out of memory");
    rtnl_tc_set_ifindex(TC_CAST(q.get()), index);
    rtnl_tc_set_parent(TC_CAST(q.get()), parent);
    rtnl_tc_set_handle(TC_CAST(q.get()), handle);
    if (kind != nullptr) {
      if (const int err = rtnl_tc_set_kind(TC_CAST(q.get()), kind); err < 0) return fail_nl("qdisc kind", err);
    }
    return q;
  }

  Result<ClsPtr> redirect_filter(int index) {
    ClsPtr c(rtnl_cls_alloc());
    if (!c) return fail(Errc::io, "rtnl_cls_alloc: out of memory");
    rtnl_tc_set_ifindex(TC_CAST(c.get()), index);
    rtnl_tc_set_parent(TC_CAST(c.get()), kIngressHandle);
    rtnl_cls_set_prio(c.get(), kRedirectPref);
    rtnl_cls_set_protocol(c.get(), ETH_P_ALL);
    if (const int err = rtnl_tc_set_kind(TC_CAST(c.get()), "u32"); err < 0) return fail_nl("filter kind", err);
    return c;
  }
};

NamespaceNetlink::NamespaceNetlink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NamespaceNetlink::NamespaceNetlink(NamespaceNetlink&&) noexcept = default;
NamespaceNetlink& NamespaceNetlink::operator=(NamespaceNetlink&&) noexcept = default;
NamespaceNetlink::~NamespaceNetlink() = default;

Result<NamespaceNetlink> NamespaceNetlink::open(const std::string& netns) {
  auto sock = connect_in(netns);
  if (!sock) return std::unexpected(sock.error());
  auto impl = std::make_unique<Impl>();
  impl->netns = netns;
  impl->sock = std::move(*sock);
  return NamespaceNetlink(std::move(impl));
}

const std::string& NamespaceNetlink::netns() const { return impl_->netns; }

Result<int> NamespaceNetlink::ifindex(const std::string& dev) {
  if (const auto it = impl_->ifindex_cache.find(dev); it != impl_->ifindex_cache.end()) return it->second;
  rtnl_link* raw = nullptr;
  if (const int err = rtnl_link_get_kernel(impl_->sock.get(), 0, dev.c_str(), &raw); err < 0) {
    auto e = fail_nl(fmt::format("no dev '{}' in namespace {}", dev, impl_->netns), err);
    e.error().field = "dev";
    return e;
  }
  const LinkPtr link(raw);
  const int index = rtnl_link_get_ifindex(link.get());
  impl_->ifindex_cache.emplace(dev, index);
  return index;
}

Result<void> NamespaceNetlink::set_admin_up(const std::string& dev, bool up) {
  auto index = ifindex(dev);
  if (!index) return std::unexpected(index.error());
  auto orig = impl_->link(*index);
  if (!orig) return std::unexpected(orig.error());
  LinkPtr change(rtnl_link_alloc());
  if (!change) return fail(Errc::io, "rtnl_link_alloc: out of memory");
  if (up) rtnl_link_set_flags(change.get(), IFF_UP);
  else rtnl_link_unset_flags(change.get(), IFF_UP);
  if (const int err = rtnl_link_change(impl_->sock.get(), orig->get(), change.get(), 0); err < 0) {
    return fail_nl(fmt::format("set {} {} in {}", dev, up ? "up" : "down", impl_->netns), err);
  }
  return {};
}

Result<LinkAnnouncement> NamespaceNetlink::link_state(const std::string& dev) {
  auto index = ifindex(dev);
  if (!index) return std::unexpected(index.error());
  auto link = impl_->link(*index);
  if (!link) return std::unexpected(link.error());
  return announcement_of(link->get(), dev.c_str());
}

Result<void> NamespaceNetlink::listen_links() {
  nl_sock* sock = impl_->sock.get();
  nl_socket_disable_seq_check(sock);   // announcements carry no sequence of ours
  if (const int err = nl_socket_add_membership(sock, RTNLGRP_LINK); err < 0) {
    return fail_nl("listen to link announcements in " + impl_->netns, err);
  }
  if (const int err = nl_socket_set_nonblocking(sock); err < 0) return fail_nl("non-blocking socket in " + impl_->netns, err);
  return {};
}

int NamespaceNetlink::fd() const { return nl_socket_get_fd(impl_->sock.get()); }

Result<bool> NamespaceNetlink::read_link_announcements(const std::function<void(const LinkAnnouncement&)>& on_link) {
  struct Reader {
    const std::function<void(const LinkAnnouncement&)>* on_link;
    static void object(nl_object* o, void* arg) {
      auto* link = reinterpret_cast<rtnl_link*>(o);
      const char* name = rtnl_link_get_name(link);
      if (name != nullptr) (*static_cast<Reader*>(arg)->on_link)(announcement_of(link, name));
    }
    static int message(nl_msg* msg, void* arg) {
      if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWLINK) nl_msg_parse(msg, &Reader::object, arg);
      return NL_OK;
    }
  } reader{&on_link};
  nl_sock* sock = impl_->sock.get();
  nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, &Reader::message, &reader);
  const std::unique_ptr<nl_cb, FnDeleter<nl_cb_put>> cb(nl_socket_get_cb(sock));
  bool lost = false;
  for (;;) {
    // The number of messages read; 0 once nothing is waiting (a non-blocking socket's EAGAIN).
    const int n = nl_recvmsgs_report(sock, cb.get());
    if (n > 0) continue;
    if (n == 0 || n == -NLE_AGAIN) return lost;
    // A full receive queue lost announcements: read on (what is queued is newer), then say so.
    // Twice in one call: say so now (the rest is read on the next call).
    if (n == -NLE_NOMEM) {
      if (lost) return true;
      lost = true;
      continue;
    }
    return fail_nl("read link announcements in " + impl_->netns, n);
  }
}

Result<void> NamespaceNetlink::ensure_ingress_qdisc(const std::string& dev) {
  auto index = ifindex(dev);
  if (!index) return std::unexpected(index.error());
  auto q = impl_->qdisc(*index, TC_H_INGRESS, kIngressHandle, "ingress");
  if (!q) return std::unexpected(q.error());
  const int err = rtnl_qdisc_add(impl_->sock.get(), q->get(), NLM_F_CREATE | NLM_F_EXCL);
  if (err < 0 && -err != NLE_EXIST && err != NLE_EXIST) {
    return fail_nl(fmt::format("add ingress qdisc to {} in {}", dev, impl_->netns), err);
  }
  return {};
}

Result<void> NamespaceNetlink::set_redirect(const std::string& dev, const std::string& to_dev) {
  auto index = ifindex(dev);
  if (!index) return std::unexpected(index.error());
  auto to_index = ifindex(to_dev);
  if (!to_index) return std::unexpected(to_index.error());
  if (auto ok = clear_redirect(dev); !ok) return ok;
  auto c = impl_->redirect_filter(*index);
  if (!c) return std::unexpected(c.error());
  // Match every frame: one key, value 0 under mask 0, terminal (the action decides).
  if (const int err = rtnl_u32_add_key_uint32(c->get(), 0, 0, 0, 0); err < 0) return fail_nl("u32 key", err);
  if (const int err = rtnl_u32_set_cls_terminal(c->get()); err < 0) return fail_nl("u32 terminal", err);
  ActPtr act(rtnl_act_alloc());
  if (!act) return fail(Errc::io, "rtnl_act_alloc: out of memory");
  if (const int err = rtnl_tc_set_kind(TC_CAST(act.get()), "mirred"); err < 0) return fail_nl("action kind", err);
  rtnl_mirred_set_action(act.get(), TCA_EGRESS_REDIR);
  rtnl_mirred_set_policy(act.get(), TC_ACT_STOLEN);
  rtnl_mirred_set_ifindex(act.get(), static_cast<std::uint32_t>(*to_index));
  if (const int err = rtnl_u32_add_action(c->get(), act.get()); err < 0) return fail_nl("u32 action", err);
  if (const int err = rtnl_cls_add(impl_->sock.get(), c->get(), NLM_F_CREATE | NLM_F_EXCL); err < 0) {
    return fail_nl(fmt::format("add redirect {} -> {} in {}", dev, to_dev, impl_->netns), err);
  }
  return {};
}

Result<void> NamespaceNetlink::clear_redirect(const std::string& dev) {
  auto index = ifindex(dev);
  if (!index) return std::unexpected(index.error());
  auto c = impl_->redirect_filter(*index);
  if (!c) return std::unexpected(c.error());
  const int err = rtnl_cls_delete(impl_->sock.get(), c->get(), 0);
  if (err < 0 && !absent(err)) {
    return fail_nl(fmt::format("delete redirect on {} in {}", dev, impl_->netns), err);
  }
  return {};
}

Result<void> NamespaceNetlink::set_rate_cap(const std::string& dev, int mbit) {
  if (mbit < 1 || mbit > kMaxRateMbit) {
    return fail(Errc::invalid_argument, fmt::format("mbit: must be 1..{}, got {}", kMaxRateMbit, mbit), "mbit");
  }
  auto index = ifindex(dev);
  if (!index) return std::unexpected(index.error());
  auto q = impl_->qdisc(*index, TC_H_ROOT, kRootHandle, "tbf");
  if (!q) return std::unexpected(q.error());
  const std::int64_t bytes_per_s = static_cast<std::int64_t>(mbit) * 1'000'000 / 8;
  // A bucket of 10 ms worth (at least 32 KiB so whole GSO segments pass) and 100 ms of queue:
  // what `tc ... tbf rate Xmbit burst B latency 100ms` would set. One TCP flow reaches about 96%
  // of the rate with it (bench/lab-shape.sh); the bucket is also all a window may carry beyond
  // the rate, so 10 ms keeps short transfers near the rate too (`mixnet-lab shape`, docs/lab.md).
  const std::int64_t bucket = std::max<std::int64_t>(32 * 1024, bytes_per_s / 100);
  const std::int64_t limit = bucket + bytes_per_s / 10;
  rtnl_qdisc_tbf_set_rate(q->get(), static_cast<int>(bytes_per_s), static_cast<int>(bucket), 0);
  rtnl_qdisc_tbf_set_limit(q->get(), static_cast<int>(limit));
  if (const int err = rtnl_qdisc_add(impl_->sock.get(), q->get(), NLM_F_CREATE | NLM_F_REPLACE); err < 0) {
    return fail_nl(fmt::format("add tbf ({} mbit) to {} in {}", mbit, dev, impl_->netns), err);
  }
  return {};
}

Result<void> NamespaceNetlink::clear_root_qdisc(const std::string& dev) {
  auto index = ifindex(dev);
  if (!index) return std::unexpected(index.error());
  auto q = impl_->qdisc(*index, TC_H_ROOT, 0, nullptr);
  if (!q) return std::unexpected(q.error());
  const int err = rtnl_qdisc_delete(impl_->sock.get(), q->get());
  // Deleting the default (noqueue) root is refused with ENOENT or EINVAL: nothing to clear.
  if (err < 0 && !absent(err) && -err != NLE_INVAL && err != NLE_INVAL) {
    return fail_nl(fmt::format("delete root qdisc of {} in {}", dev, impl_->netns), err);
  }
  return {};
}

}  // namespace mixnet::lab
