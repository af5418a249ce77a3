// mixnet-ocs-emu --lab-plane FILE: a bad file exits 2 naming the field; a good one serves
// /v1/plane and realizes a circuit made over the control API.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <regex>

#include "tests/tools/lab-plane/lab_fixture.hpp"

using namespace mixnet::testing;
using nlohmann::json;

extern char** environ;

namespace {

// The emulator as a child process, stdout and stderr on one pipe; killed and reaped at the end.
class EmuProcess {
 public:
  explicit EmuProcess(std::vector<std::string> args) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    args.insert(args.begin(), MIXNET_OCS_EMU_BIN);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, MIXNET_OCS_EMU_BIN, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = fds[0];
    REQUIRE(rc == 0);
  }
  ~EmuProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }
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
  int wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ::usleep(10'000);
    }
    return -1;
  }
  void terminate() { ::kill(pid_, SIGTERM); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string text_;
};

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("mixnet-ocs-emu --lab-plane: bad files exit 2 naming the field", "[lab-plane][cli]") {
  const std::string tag = std::to_string(::getpid());
  const std::string unknown = write_file("mxt-plane-" + tag + "-a.json",
                                         R"({"netns":"x","ends":[],"colour":"red"})");
  const std::string port = write_file("mxt-plane-" + tag + "-b.json", R"({"netns":"x","ends":[
      {"id":"a","dev":"oa","host_netns":"ha","host_dev":"p0","tx":3,"rx":40}]})");
  const std::string nons = write_file("mxt-plane-" + tag + "-c.json", R"({"netns":"mxt-no-such-ns","ends":[]})");
  for (const auto& [file, want] : {std::pair{unknown, std::string("colour")}, std::pair{port, std::string("ends[0].rx")},
                                   std::pair{nons, std::string("mxt-no-such-ns")}}) {
    EmuProcess emu({"--size", "8x8", "--lab-plane", file, "--tl1-port", "0", "--rest-port", "0", "--control-port", "0"});
    const std::string out = emu.read_until("\n", std::chrono::seconds(10));
    CHECK(emu.wait_exit(std::chrono::seconds(10)) == 2);
    CHECK(out.find("--lab-plane") != std::string::npos);
    CHECK(out.find(want) != std::string::npos);
  }
  for (const auto& f : {unknown, port, nons}) std::remove(f.c_str());
}

TEST_CASE("mixnet-ocs-emu --lab-plane: serves /v1/plane and realizes circuits", "[lab-plane][netns][cli]") {
  PlaneLab lab({{3, 12}, {1, 9}}, false, "fixed:10", false, /*start_plane=*/false);
  json file = lab.plane_file_json();
  file["profile"] = "fixed:10";
  const std::string path = write_file(lab.ocs + "-plane.json", file.dump());
  EmuProcess emu({"--size", "8x8", "--lab-plane", path, "--switching-time", "0", "--tl1-port", "0", "--rest-port",
                  "0", "--control-port", "0", "--log-level", "warn"});
  const std::string out = emu.read_until("control=", std::chrono::seconds(10));
  std::smatch m;
  const std::string line = emu.read_until("\n", std::chrono::seconds(5));
  REQUIRE(std::regex_search(line, m, std::regex(R"(control=(\d+))")));
  const auto control = static_cast<unsigned short>(std::stoi(m[1].str()));
  auto call = [&](const std::string& method, const std::string& target, const std::string& body = {}) {
    HttpCall c;
    c.method = method;
    c.target = target;
    c.body = body;
    return http_request("127.0.0.1", control, c);
  };
  auto r = call("GET", "/v1/plane");
  REQUIRE(r.status == 200);
  CHECK(r.json()["netns"] == lab.ocs);
  CHECK(r.json()["ends"].size() == 2);
  REQUIRE(call("PUT", "/v1/connections", R"({"connections":[{"from":3,"to":9},{"from":1,"to":12}]})").status == 200);
  CHECK(lab.wait_carrier(0, true));
  CHECK(lab.wait_carrier(1, true));
  CHECK(frame_reaches(lab, 0, {1}) == std::vector<bool>{true});
  emu.terminate();
  CHECK(emu.wait_exit(std::chrono::seconds(10)) == 0);
  std::remove(path.c_str());
}
