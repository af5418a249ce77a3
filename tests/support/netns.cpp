#include "tests/support/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace mixnet::testing {

namespace {

std::atomic<unsigned> g_counter{0};

// Namespaces of earlier runs of this fixture whose process no longer exists.
void remove_stale_namespaces() {
  std::string listing;
  try {
    listing = run_command("ip netns list");
  } catch (const std::exception&) {
    return;
  }
  static const std::regex pattern(R"(^mxt-(\d+)-\d+\b)");
  std::istringstream lines(listing);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, pattern)) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(m[1].str()));
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // owner alive (or not ours to judge)
    const std::string name = line.substr(0, line.find(' '));
    if (std::system(("ip netns del " + name + " >/dev/null 2>&1").c_str()) != 0) continue;
  }
}

}  // namespace

std::string run_command(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed for: " + command);
  std::string output;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;) output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("command failed (" + std::to_string(status) + "): " + command + "\n" + output);
  }
  return output;
}

void enter_namespace(const std::string& name) {
  const std::string path = "/run/netns/" + name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
  const int rc = ::setns(fd, CLONE_NEWNET);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error("setns " + path + ": " + std::strerror(err));
}

NetnsFixture::NetnsFixture() { remove_stale_namespaces(); }

NetnsFixture::~NetnsFixture() {
  // Deleting a namespace takes its interfaces (and so both ends of its veth pairs) with it.
  for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) {
    if (std::system(("ip netns del " + *it + " >/dev/null 2>&1").c_str()) != 0) continue;  // best effort
  }
}

std::string NetnsFixture::add_namespace() {
  const std::string name = "mxt-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++);
  run_command("ip netns add " + name);
  namespaces_.push_back(name);  // recorded before anything else can throw, so it is always removed
  ip(name, "link set dev lo up");
  return name;
}

void NetnsFixture::add_veth(const std::string& ns_a, const std::string& if_a, const std::string& ns_b,
                            const std::string& if_b) {
  ip(ns_a, "link add name " + if_a + " type veth peer name " + if_b + " netns " + ns_b);
  ip(ns_a, "link set dev " + if_a + " up");
  ip(ns_b, "link set dev " + if_b + " up");
}

std::string NetnsFixture::ip(const std::string& ns, const std::string& args) {
  return run_command("ip -n " + ns + " " + args);
}

nlohmann::json NetnsFixture::ip_json(const std::string& ns, const std::string& args) {
  // stderr is folded into the output; `ip -j` writes nothing there on success.
  return nlohmann::json::parse(run_command("ip -j -n " + ns + " " + args));
}

void NetnsFixture::run_in_thread(const std::string& ns, const std::function<void()>& fn) {
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      enter_namespace(ns);
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  });
  worker.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace mixnet::testing
