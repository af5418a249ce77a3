#include "tests/support/agent_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "common/clock.hpp"

namespace mixnet::testing {

TempDir::TempDir() {
  char tmpl[] = "/tmp/mixnet-agent-it-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  path_ = tmpl;
}

TempDir::~TempDir() {
  const std::string cmd = "rm -rf '" + path_ + "'";
  if (std::system(cmd.c_str()) != 0) return;  // best effort
}

std::int64_t now_realtime_ns() { return mixnet::realtime_ns(); }

AgentProcess::AgentProcess(NetnsFixture& net, std::string ns, std::string host_id, std::string ports,
                           std::vector<std::string> extra_args)
    : net_(net), ns_(std::move(ns)), host_id_(std::move(host_id)) {
  std::random_device rd;
  token_ = "tok-" + std::to_string(rd()) + std::to_string(rd());
  const std::string token_path = dir_.path() + "/token";
  {
    std::ofstream out(token_path);
    out << token_ << "\n";
  }
  ::chmod(token_path.c_str(), 0600);
  const std::string log_path = dir_.path() + "/agent.log";

  std::vector<std::string> args = {"ip", "netns", "exec", ns_, MIXNET_AGENT_BINARY,
                                   "--token-file", token_path, "--ports", ports, "--host-id", host_id_,
                                   "--log-level", "debug"};
  // A test that reaches the agent from another namespace passes its own --listen (it must still
  // cover 127.0.0.1:kAgentPort, e.g. 0.0.0.0:kAgentPort, for the start-up check below).
  if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
    args.insert(args.end(), {"--listen", "127.0.0.1:" + std::to_string(kAgentPort)});
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // If the test process dies without running destructors, the agent goes with it; the flag
    // survives the exec of `ip` and of the agent.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execvp("ip", argv.data());  // `ip netns exec` execs the agent in place: pid_ is the agent
    ::_exit(127);
  }

  // Wait (bounded) for the API to answer.
  const bool tls = std::find(extra_args.begin(), extra_args.end(), "--tls-cert") != extra_args.end();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("mixnet-agent exited at start-up (status " + std::to_string(status) + "):\n" + log());
    }
    if (tls) {
      // The test's HTTP client speaks no TLS: the agent's own line says it is serving.
      if (log().find("listening on https://") != std::string::npos) return;
    } else {
      try {
        auto r = get("/v1/health", std::chrono::milliseconds(500));
        if (r.status == 200) return;
      } catch (const std::exception& e) {
        last_error = e.what();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("mixnet-agent in " + ns_ + " did not answer within 10 s (" + last_error + "):\n" + log());
}

AgentProcess::~AgentProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string AgentProcess::log() const {
  std::ifstream in(dir_.path() + "/agent.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HttpReply AgentProcess::call(HttpCall c, bool with_token) const {
  if (with_token && !c.token) c.token = token_;
  return net_.run_in(ns_, [&] { return http_request("127.0.0.1", kAgentPort, c); });
}

HttpReply AgentProcess::get(const std::string& target, std::chrono::milliseconds timeout) const {
  return call(HttpCall{.method = "GET", .target = target, .timeout = timeout});
}

HttpReply AgentProcess::post(const std::string& target, const std::string& body) const {
  return call(HttpCall{.method = "POST", .target = target, .body = body,
                       .headers = {{"Content-Type", "application/json"}}});
}

}  // namespace mixnet::testing
