// The mixnet-ocs-emu executable: flags reach the emulator, bad flags are refused, SIGTERM stops it.
#include <cerrno>
#include <fcntl.h>
#include <csignal>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/test_ca.hpp"
#include "tests/tools/ocs-emu/emu_fixture.hpp"

using mixnet::ocs::tl1::Completion;
using mixnet::testing::Tl1Client;
using nlohmann::json;

extern char** environ;

namespace {

// A child process with its stdout on a pipe; killed and reaped on destruction.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<char*> argv;
    args.insert(args.begin(), MIXNET_OCS_EMU_BIN);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, MIXNET_OCS_EMU_BIN, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
    REQUIRE(rc == 0);
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
  }
  // Reads stdout until it holds `until` or the stream ends or the deadline passes.
  std::string read_until(const std::string& until, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (text_.find(until) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      const auto n = ::read(out_, buf, sizeof buf);
      if (n <= 0) break;
      text_.append(buf, static_cast<std::size_t>(n));
    }
    return text_;
  }
  // Waits for the exit status (-1 on timeout).
  int wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::usleep(10'000);
    }
    return -1;
  }
  void signal(int sig) { ::kill(pid_, sig); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string text_;
};

unsigned short port_of(const std::string& ready, const std::string& name) {
  const auto at = ready.find(name + "=");
  REQUIRE(at != std::string::npos);
  return static_cast<unsigned short>(std::stoi(ready.substr(at + name.size() + 1)));
}

}  // namespace

TEST_CASE("cli: flags configure the switch and its faults, SIGTERM stops it", "[ocs-emu][cli]") {
  Child emu({"--size", "8x8", "--tl1-port", "0", "--rest-port", "0", "--control-port", "0", "--calient-port", "0",
             "--switching-time", "0", "--loss-noise-db", "0", "--fail-port", "2", "--weak-port", "9:3",
             "--drop-session", "before-apply:DLT-PATCH", "--log-level", "warn"});
  const std::string ready = emu.read_until("\n", std::chrono::seconds(10));
  REQUIRE(ready.find("mixnet-ocs-emu ready") == 0);
  const auto tl1 = port_of(ready, "tl1");
  const auto control = port_of(ready, "control");
  CHECK(port_of(ready, "calient") != 0);

  Tl1Client c(tl1);
  c.login();
  CHECK(c.command("RTRV-EQPT::SYSTEM:1:::PARAMETER=SIZE;").lines == std::vector<std::string>{"SYSTEM:SIZE=8x8"});
  CHECK(c.command("ENT-PATCH::2,9:2:;").error_code == "SROF");
  REQUIRE(c.command("ENT-PATCH::1,9:3:;").completion == Completion::compld);
  CHECK(c.command("RTRV-PORT-POWER::9:4:;").lines == std::vector<std::string>{"9:-4.50"});

  mixnet::testing::HttpCall call;
  call.target = "/v1/faults";
  const auto faults = mixnet::testing::http_request("127.0.0.1", control, call).json();
  CHECK(faults.at("failed_ports") == json::array({2}));
  CHECK(faults.at("weak_ports") == json::parse(R"({"9":3.0})"));
  CHECK(faults.at("drop_session").at("verb") == "DLT-PATCH");
  c.send("DLT-PATCH::1:5:;");
  CHECK(c.closed_by_peer());

  emu.signal(SIGTERM);
  CHECK(emu.wait_exit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("cli: bad flags are refused with a message, --help explains them", "[ocs-emu][cli]") {
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--size", "600x600", "--tl1-port", "0", "--rest-port", "0", "--control-port", "0"},
           {"--size", "lots"},
           {"--switching-time", "uniform:9"},
           {"--weak-port", "3"},
           {"--drop-session", "whenever"}}) {
    INFO(bad[0] << " " << bad[1]);
    Child emu(bad);
    CHECK(emu.wait_exit(std::chrono::seconds(10)) == 2);
  }
  Child help({"--help"});
  const std::string text = help.read_until("--drop-session", std::chrono::seconds(10));
  CHECK(text.find("--switching-time") != std::string::npos);
  CHECK(text.find("--fail-port") != std::string::npos);
  CHECK(help.wait_exit(std::chrono::seconds(10)) == 0);
}

TEST_CASE("cli: --tls-cert and --tls-key go together, and an open key is refused", "[ocs-emu][cli][tls]") {
  mixnet::testing::TestCa ca;
  const std::vector<std::string> ports = {"--tl1-port", "0", "--rest-port", "0", "--control-port", "0"};
  for (const auto& flags : std::vector<std::vector<std::string>>{{"--tls-cert", ca.server_cert()},
                                                                {"--tls-key", ca.server_key()}}) {
    INFO(flags[0]);
    auto args = ports;
    args.insert(args.end(), flags.begin(), flags.end());
    Child emu(args);
    CHECK(emu.wait_exit(std::chrono::seconds(10)) == 2);
  }
  ::chmod(ca.server_key().c_str(), 0644);
  auto args = ports;
  args.insert(args.end(), {"--tls-cert", ca.server_cert(), "--tls-key", ca.server_key()});
  Child open_key(args);
  CHECK(open_key.wait_exit(std::chrono::seconds(10)) == 2);
}
