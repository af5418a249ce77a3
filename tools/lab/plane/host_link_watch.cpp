#include "tools/lab/plane/host_link_watch.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace mixnet::lab {

namespace {

// Reads the state of every watched dev of one namespace over a socket of its own (the
// listening one would mix the replies with the announcements).
Result<std::vector<NicLinkState>> read_states(const std::string& netns, const std::set<std::string>& devs) {
  auto query = NamespaceNetlink::open(netns);
  if (!query) return std::unexpected(query.error());
  std::vector<NicLinkState> out;
  for (const auto& dev : devs) {
    auto state = query->link_state(dev);
    if (!state) {
      Error e = state.error();
      e.field = "host_dev";
      return std::unexpected(e);
    }
    out.push_back(NicLinkState{NicPort{netns, dev}, state->admin_up, state->oper_up});
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<HostLinkWatch>> HostLinkWatch::open(const std::vector<NicPort>& ports) {
  std::map<std::string, std::set<std::string>> by_netns;
  for (const auto& p : ports) by_netns[p.netns].insert(p.dev);
  std::vector<Namespace> namespaces;
  std::map<NicPort, NicLinkState> at_open;
  for (auto& [netns, devs] : by_netns) {
    auto listener = NamespaceNetlink::open(netns);
    if (!listener) return std::unexpected(listener.error().context("host link watch"));
    if (auto ok = listener->listen_links(); !ok) return std::unexpected(ok.error().context("host link watch"));
    // Subscribed first: a change from here on is also announced, after what is read now.
    auto states = read_states(netns, devs);
    if (!states) return std::unexpected(states.error().context("host link watch"));
    for (const auto& s : *states) at_open.emplace(s.port, s);
    namespaces.push_back(Namespace{netns, std::move(*listener), std::move(devs)});
  }
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return fail_errno("host link watch: eventfd", errno);
  return std::unique_ptr<HostLinkWatch>(new HostLinkWatch(std::move(namespaces), std::move(at_open), std::move(wake)));
}

HostLinkWatch::HostLinkWatch(std::vector<Namespace> namespaces, std::map<NicPort, NicLinkState> at_open, UniqueFd wake)
    : namespaces_(std::move(namespaces)), at_open_(std::move(at_open)), wake_(std::move(wake)) {}

HostLinkWatch::~HostLinkWatch() { stop(); }

Result<void> HostLinkWatch::start(std::vector<Listener> listeners) {
  if (thread_.joinable()) return fail(Errc::conflict, "host link watch: already started");
  listeners_ = std::move(listeners);
  thread_ = std::thread([this] { run(); });
  return {};
}

void HostLinkWatch::stop() {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  if (::write(wake_.get(), &one, sizeof one) != static_cast<ssize_t>(sizeof one)) {
    spdlog::error("lab plane: host link watch: cannot wake its thread: {}", std::strerror(errno));
  }
  thread_.join();
}

void HostLinkWatch::tell(const NicLinkState& state) {
  for (const auto& l : listeners_) l(state);
}

void HostLinkWatch::read_again(Namespace& ns) {
  auto states = read_states(ns.netns, ns.devs);
  if (!states) {
    spdlog::warn("lab plane: host link watch: announcements in {} were lost and the ports cannot be read again: {}",
                 ns.netns, states.error().describe());
    return;
  }
  for (const auto& s : *states) tell(s);
}

void HostLinkWatch::hear(Namespace& ns) {
  auto lost = ns.listener.read_link_announcements([&](const LinkAnnouncement& a) {
    if (ns.devs.contains(a.dev)) tell(NicLinkState{NicPort{ns.netns, a.dev}, a.admin_up, a.oper_up});
  });
  if (!lost) {
    if (!warned_) spdlog::warn("lab plane: host link watch: {}", lost.error().describe());
    warned_ = true;
    return;
  }
  if (*lost) read_again(ns);
}

void HostLinkWatch::run() {
  std::vector<pollfd> fds;
  fds.push_back(pollfd{wake_.get(), POLLIN, 0});
  for (const auto& ns : namespaces_) fds.push_back(pollfd{ns.listener.fd(), POLLIN, 0});
  for (;;) {
    for (auto& f : fds) f.revents = 0;
    // No deadline: the thread only waits here, and stop() wakes it.
    const int n = ::poll(fds.data(), fds.size(), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::error("lab plane: host link watch: poll: {}; no longer listening", std::strerror(errno));
      return;
    }
    if (fds[0].revents != 0) return;
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents != 0) hear(namespaces_[i - 1]);
    }
  }
}

}  // namespace mixnet::lab
