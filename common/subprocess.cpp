#include "common/subprocess.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/unique_fd.hpp"

extern char** environ;

namespace mixnet {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxCaptured = 1u << 20;

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
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

// Our environment with `extra` set (an existing NAME= entry is replaced).
std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const bool replaced = std::ranges::any_of(extra, [&](const auto& kv) { return entry.starts_with(kv.first + "="); });
    if (!replaced) out.push_back(entry);
  }
  for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
  return out;
}

struct Pipe {
  UniqueFd read_end, write_end;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("pipe", errno);
  return Pipe{UniqueFd{fds[0]}, UniqueFd{fds[1]}};
}

// Reads what is there into `into` (kept up to the limit); closes `fd` at end of file or error.
void drain_into(UniqueFd& fd, std::string& into) {
  char buf[8192];
  const ssize_t r = ::read(fd.get(), buf, sizeof buf);
  if (r > 0 && into.size() < kMaxCaptured) into.append(buf, static_cast<std::size_t>(r));
  if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) fd.reset();
}

}  // namespace

Result<ProgramResult> run_program(const ProgramRun& run) {
  if (run.argv.empty() || run.argv[0].empty()) return fail(Errc::invalid_argument, "no program to run", "argv");
  auto in = make_pipe();
  if (!in) return std::unexpected(in.error());
  auto out = make_pipe();
  if (!out) return std::unexpected(out.error());
  auto err = make_pipe();
  if (!err) return std::unexpected(err.error());

  // fork + exec rather than posix_spawn: the child must die with us (PR_SET_PDEATHSIG), so a
  // program orphaned by a kill -9 of ours does not go on changing things. Only async-signal-safe
  // calls between fork and exec: the path, argv and environment are all built before.
  const std::string path = find_in_path(run.argv[0]);
  std::vector<std::string> argv_copy = run.argv;
  auto args = c_strings(argv_copy);
  std::vector<std::string> env_strings = environment_with(run.env);
  auto envp = c_strings(env_strings);
  const int stderr_target = run.merge_stderr ? out->write_end.get() : err->write_end.get();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return fail_errno("fork for " + run.argv[0], errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // we died before the prctl took effect
    ::dup2(in->read_end.get(), 0);
    ::dup2(out->write_end.get(), 1);
    ::dup2(stderr_target, 2);
    ::execve(path.c_str(), args.data(), envp.data());
    ::_exit(127);
  }
  in->read_end.reset();
  out->write_end.reset();
  err->write_end.reset();
  if (run.merge_stderr) err->read_end.reset();
  UniqueFd& to_child = in->write_end;
  UniqueFd& from_out = out->read_end;
  UniqueFd& from_err = err->read_end;
  ::fcntl(to_child.get(), F_SETFL, O_NONBLOCK);

  ProgramResult result;
  const auto deadline = Clock::now() + run.timeout;
  std::size_t written = 0;
  if (run.input.empty()) to_child.reset();
  bool timed_out = false;
  while (from_out.valid() || from_err.valid()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    // A closed descriptor (-1) is ignored by poll, so the three slots stay in place.
    pollfd fds[3] = {{from_out.get(), POLLIN, 0}, {from_err.get(), POLLIN, 0}, {to_child.get(), POLLOUT, 0}};
    const int n = ::poll(fds, 3, static_cast<int>(left));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (to_child.valid() && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t w = ::write(to_child.get(), run.input.data() + written, run.input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if ((w < 0 && errno != EAGAIN) || written == run.input.size()) to_child.reset();
    }
    if (from_out.valid() && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) drain_into(from_out, result.out);
    if (from_err.valid() && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) drain_into(from_err, result.err);
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return fail(Errc::timeout, run.argv[0] + " did not finish within " + std::to_string(run.timeout.count()) + " ms");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

Result<ProgramResult> run_program(const std::vector<std::string>& argv, const std::string& input,
                                  std::chrono::milliseconds timeout) {
  return run_program(ProgramRun{.argv = argv, .input = input, .timeout = timeout, .env = {}, .merge_stderr = true});
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !word.empty() && std::ranges::all_of(word, [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::strchr("@%+=:,./_-", c) != nullptr;
    });
    if (plain) {
      line += word;
      continue;
    }
    // Single quotes keep everything literal; a single quote itself is closed, escaped, reopened.
    line += '\'';
    for (char c : word) {
      if (c == '\'') line += "'\\''";
      else line += c;
    }
    line += '\'';
  }
  return line;
}

}  // namespace mixnet
