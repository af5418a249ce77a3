#include "tools/lab/processes.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "common/unique_fd.hpp"

extern char** environ;

namespace mixnet::lab {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<pid_t> spawn_daemon(const std::vector<std::string>& argv, const std::string& log_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own session: a Ctrl-C at our terminal or our exit does not reach the lab's processes.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  auto args = c_argv(argv);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return fail_errno("start " + argv[0], rc);
  return pid;
}

std::vector<std::string> process_cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> out;
  std::string arg;
  for (int i = 0; i < 4096 && std::getline(in, arg, '\0'); ++i) out.push_back(arg);
  return out;
}

unsigned long process_netns_inode(pid_t pid) {
  struct stat st {};
  if (::stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &st) != 0) return 0;
  return st.st_ino;
}

unsigned long named_netns_inode(const std::string& netns) {
  struct stat st {};
  if (::stat(("/run/netns/" + netns).c_str(), &st) != 0) return 0;
  return st.st_ino;
}

bool process_alive(pid_t pid) {
  // A zombie child of ours still "exists"; reap it if it is ours and finished.
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(st, line);
  const auto close_paren = line.rfind(')');
  return !(close_paren != std::string::npos && close_paren + 2 < line.size() && line[close_paren + 2] == 'Z');
}

std::set<pid_t> find_lab_processes(const std::string& name, const std::string& dir,
                                   const std::set<unsigned long>& netns_inodes,
                                   const std::vector<pid_t>& recorded) {
  const std::string prefix = "mxl-" + name + "-";
  const std::string serial = prefix + "ocs";
  std::set<pid_t> out;
  const pid_t self = ::getpid();
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || pid <= 1 || pid == self) continue;
    const auto p = static_cast<pid_t>(pid);
    if (!netns_inodes.empty() && netns_inodes.contains(process_netns_inode(p))) {
      out.insert(p);
      continue;
    }
    const auto args = process_cmdline(p);
    // Named by the lab: the emulator (its serial is the lab's), an `ip netns exec` into one of
    // the lab's namespaces that has not exec'd its program yet, an `ip -n`/`tc -n` batch on one.
    for (std::size_t i = 1; i < args.size(); ++i) {
      if (args[i].starts_with(prefix) || (args[i] == serial && args[i - 1] == "--serial")) {
        out.insert(p);
        break;
      }
    }
  }
  ::closedir(d);
  for (pid_t p : recorded) {
    if (p <= 1 || p == self || out.contains(p)) continue;
    // A recorded pid may have been reused by now: ours only if its command line names the lab dir.
    for (const auto& a : process_cmdline(p)) {
      if (a.find(dir + "/") != std::string::npos) {
        out.insert(p);
        break;
      }
    }
  }
  return out;
}

std::size_t stop_processes(const std::set<pid_t>& pids, std::chrono::milliseconds grace) {
  for (pid_t p : pids) ::kill(p, SIGTERM);
  auto all_gone = [&] {
    for (pid_t p : pids) {
      if (process_alive(p)) return false;
    }
    return true;
  };
  const auto deadline = Clock::now() + grace;
  while (!all_gone() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (pid_t p : pids) {
    if (process_alive(p)) ::kill(p, SIGKILL);
  }
  const auto hard = Clock::now() + std::chrono::seconds(5);
  while (!all_gone() && Clock::now() < hard) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return pids.size();
}

}  // namespace mixnet::lab
