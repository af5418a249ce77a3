#include "tools/lab/kernel.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <thread>
#include <unistd.h>

#include "common/unique_fd.hpp"
#include "tools/lab/processes.hpp"

namespace mixnet::lab {

namespace {

using namespace std::chrono_literals;

Result<void> batch(const char* tool, const std::string& netns, const std::vector<std::string>& commands, bool force) {
  if (commands.empty()) return {};
  std::vector<std::string> argv = {tool};
  if (!netns.empty()) argv.insert(argv.end(), {"-n", netns});
  if (force) argv.push_back("-force");
  argv.insert(argv.end(), {"-batch", "-"});
  std::string input;
  for (const auto& c : commands) input += c + "\n";
  // Generous: a 32-host lab's biggest batch takes well under a second; a wedged `ip` must not
  // hang `up` forever.
  auto r = run_program(argv, input, 60s);
  if (!r) return std::unexpected(r.error().context(std::string(tool) + " batch" + (netns.empty() ? "" : " in " + netns)));
  if (r->exit_code != 0) {
    std::string out = r->out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return fail(Errc::io, std::string(tool) + " batch" + (netns.empty() ? "" : " in " + netns) + " failed: " + out);
  }
  return {};
}

}  // namespace

Result<void> ip_batch(const std::string& netns, const std::vector<std::string>& commands, bool force) {
  return batch("ip", netns, commands, force);
}

Result<void> tc_batch(const std::string& netns, const std::vector<std::string>& commands, bool force) {
  return batch("tc", netns, commands, force);
}

Result<void> set_sysctls(const std::string& netns, const std::vector<std::pair<std::string, std::string>>& values) {
  Result<void> out;
  // A fresh thread joins the namespace, so the calling thread stays where it was. Files under
  // /proc/sys/net belong to the namespace of whoever opens them.
  std::thread worker([&] {
    UniqueFd ns(::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.valid()) {
      out = fail_errno("open namespace " + netns, errno);
      return;
    }
    const int rc = ::setns(ns.get(), CLONE_NEWNET);
    const int err = errno;
    ns.reset();
    if (rc != 0) {
      out = fail_errno("enter namespace " + netns, err);
      return;
    }
    for (const auto& [key, value] : values) {
      const std::string path = "/proc/sys/" + key;
      UniqueFd f(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
      if (!f.valid()) {
        out = fail_errno("open " + path + " in " + netns, errno);
        return;
      }
      const ssize_t n = ::write(f.get(), value.data(), value.size());
      const int werr = errno;
      f.reset();
      if (n != static_cast<ssize_t>(value.size())) {
        out = fail_errno("write " + path + " in " + netns, werr);
        return;
      }
    }
  });
  worker.join();
  return out;
}

std::vector<std::string> namespaces_with_prefix(const std::string& prefix) {
  std::vector<std::string> out;
  DIR* d = ::opendir("/run/netns");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n.starts_with(prefix)) out.push_back(n);
  }
  ::closedir(d);
  return out;
}

std::vector<std::string> root_links_with_prefix(const std::string& prefix) {
  std::vector<std::string> out;
  struct if_nameindex* all = ::if_nameindex();
  if (all == nullptr) return out;
  for (struct if_nameindex* i = all; i->if_index != 0 && i->if_name != nullptr; ++i) {
    const std::string n = i->if_name;
    if (n.starts_with(prefix)) out.push_back(n);
  }
  ::if_freenameindex(all);
  return out;
}

std::vector<int> used_mgmt_octets() {
  std::vector<int> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    const auto ip = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr);
    if ((ip >> 16) == ((198u << 8) | 19u)) out.push_back(static_cast<int>((ip >> 8) & 0xff));
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace mixnet::lab
