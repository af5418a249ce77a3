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

// The first executable PATH entry named `name` (or `name` itself when it has a slash).
std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* env = std::getenv("PATH");
  std::string dirs = env != nullptr ? env : "/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;
}

}  // namespace

Result<ProgramResult> run_program(const std::vector<std::string>& argv, const std::string& input,
                                  std::chrono::milliseconds timeout) {
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return fail_errno("pipe", errno);
  UniqueFd in_r{in_pipe[0]}, in_w{in_pipe[1]};  // pipe ends we own, closed on scope exit
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return fail_errno("pipe", errno);
  UniqueFd out_r{out_pipe[0]}, out_w{out_pipe[1]};

  // fork + exec rather than posix_spawn: the child must die with us (PR_SET_PDEATHSIG). An `ip
  // -batch` orphaned by a kill -9 of `up` would go on creating links while `down` removes them.
  // Only async-signal-safe calls between fork and exec: the program path is resolved before.
  const std::string path = find_in_path(argv[0]);
  auto args = c_argv(argv);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return fail_errno("fork for " + argv[0], errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // we died before the prctl took effect
    ::dup2(in_r.get(), 0);
    ::dup2(out_w.get(), 1);
    ::dup2(out_w.get(), 2);
    ::execve(path.c_str(), args.data(), environ);
    ::_exit(127);
  }
  in_r.reset();
  out_w.reset();
  ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);

  ProgramResult result;
  const auto deadline = Clock::now() + timeout;
  std::size_t written = 0;
  if (input.empty()) in_w.reset();
  bool timed_out = false;
  while (out_r.valid()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {in_w.get(), POLLOUT, 0}};
    const int n = ::poll(fds, in_w.valid() ? 2 : 1, static_cast<int>(left));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (in_w.valid() && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t w = ::write(in_w.get(), input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 && errno != EAGAIN) in_w.reset();
      if (written == input.size()) in_w.reset();
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buf[8192];
      const ssize_t r = ::read(out_r.get(), buf, sizeof buf);
      if (r > 0 && result.output.size() < (1u << 20)) result.output.append(buf, static_cast<std::size_t>(r));
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) out_r.reset();
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return fail(Errc::timeout, argv[0] + " did not finish within " + std::to_string(timeout.count()) + " ms");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

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
