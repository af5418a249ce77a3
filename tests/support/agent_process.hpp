#pragma once
// A real mixnet-agent process in a test namespace (`ip netns exec`), with a private token file,
// stopped (SIGTERM, then SIGKILL) when the object goes. Declare it after the NetnsFixture so it is
// stopped before its namespace is deleted. HTTP calls are made from a thread inside the namespace.
#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/netns.hpp"

namespace mixnet::testing {

inline constexpr unsigned short kAgentPort = 7070;

// A directory under /tmp removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class AgentProcess {
 public:
  // Starts the agent and waits (bounded) until /v1/health answers (with --tls-cert among
  // extra_args: until it logs that it serves HTTPS; call() and get() speak plain HTTP only).
  AgentProcess(NetnsFixture& net, std::string ns, std::string host_id, std::string ports,
               std::vector<std::string> extra_args = {});
  ~AgentProcess();
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  [[nodiscard]] const std::string& token() const { return token_; }
  [[nodiscard]] std::string token_path() const { return dir_.path() + "/token"; }  // mode 600
  [[nodiscard]] const std::string& ns() const { return ns_; }
  [[nodiscard]] const std::string& host_id() const { return host_id_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string log() const;  // what the agent wrote to stderr so far

  // One request from inside the namespace; the token is added unless the call sets its own
  // (an empty optional is sent as no Authorization header when with_token is false).
  HttpReply call(HttpCall call, bool with_token = true) const;
  HttpReply get(const std::string& target, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;
  HttpReply post(const std::string& target, const std::string& body) const;

 private:
  NetnsFixture& net_;
  std::string ns_;
  std::string host_id_;
  TempDir dir_;
  std::string token_;
  pid_t pid_ = -1;
};

// Milliseconds since the Unix epoch as CLOCK_REALTIME ns.
std::int64_t now_realtime_ns();

}  // namespace mixnet::testing
