#include "tests/tools/lab/lab_harness.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <array>
#include <cstdio>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <net/if.h>
#include <netinet/in.h>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "hwdrivers/ocs/optical_switch.hpp"
#include "tests/support/https_client.hpp"
#include "tests/support/netns.hpp"

extern char** environ;

namespace mixnet::testing {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::atomic<int> g_names{0};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Names of other labs ("mxl-<other>-") and of test fixtures ("mxt-") running beside this test.
bool foreign(const std::string& entry, const std::string& prefix) {
  for (const char* p : {"mxl-", "mxt-"}) {
    for (std::size_t at = entry.find(p); at != std::string::npos; at = entry.find(p, at + 1)) {
      if (entry.compare(at, prefix.size(), prefix) != 0) return true;
    }
  }
  return false;
}

std::pair<std::string, unsigned short> host_port(const std::string& url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string::npos ? 0 : scheme + 3;
  const auto colon = url.rfind(':');
  auto end = url.find('/', start);
  if (end == std::string::npos) end = url.size();
  return {url.substr(start, colon - start), static_cast<unsigned short>(std::stoi(url.substr(colon + 1, end - colon - 1)))};
}

}  // namespace

CommandResult run_lab(const std::string& args) {
  FILE* pipe = ::popen((std::string(MIXNET_LAB_BIN) + " " + args + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen mixnet-lab");
  CommandResult r;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;) r.output.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool run_lab_killed_after(const std::vector<std::string>& args, std::chrono::milliseconds delay) {
  std::vector<std::string> all = {MIXNET_LAB_BIN};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, all[0].c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  std::this_thread::sleep_for(delay);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return true;
}

std::string unique_lab_name() {
  const int n = g_names++;
  std::string name = "t" + std::to_string(::getpid() % 100000);
  name += static_cast<char>('a' + n % 26);
  if (n >= 26) name += static_cast<char>('a' + (n / 26) % 26);
  return name;
}

Snapshot snapshot(const std::string& name) {
  const std::string prefix = "mxl-" + name + "-";
  const std::string dir = "/run/mixnet-lab/" + name;
  Snapshot s;
  auto add = [&](const std::string& kind, const std::string& what) {
    if (!foreign(what, prefix)) s.entries.insert(kind + ":" + what);
  };
  if (DIR* d = ::opendir("/run/netns")) {
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") add("netns", n);
    }
    ::closedir(d);
  }
  if (struct if_nameindex* all = ::if_nameindex()) {
    for (struct if_nameindex* i = all; i->if_index != 0; ++i) add("link", i->if_name);
    ::if_freenameindex(all);
  }
  std::istringstream qdiscs(run_command("tc qdisc show"));
  for (std::string line; std::getline(qdiscs, line);) add("qdisc", line);
  for (const auto& p : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = p.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = slurp("/proc/" + pid + "/cmdline");
    for (char& ch : cmd) {
      if (ch == '\0') ch = ' ';
    }
    if (cmd.find(prefix) != std::string::npos || cmd.find(dir + "/") != std::string::npos || cmd.find(dir + " ") != std::string::npos) {
      s.entries.insert("process:" + pid + " " + cmd);
    }
  }
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    s.entries.insert("file:" + dir);
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir, ec)) s.entries.insert("file:" + f.path().string());
  }
  return s;
}

std::string describe_difference(const Snapshot& before, const Snapshot& after) {
  std::string out;
  for (const auto& e : after.entries) {
    if (!before.entries.contains(e)) out += "  left behind: " + e + "\n";
  }
  for (const auto& e : before.entries) {
    if (!after.entries.contains(e)) out += "  gone: " + e + "\n";
  }
  return out;
}

const LabPort& LabHost::port(const std::string& n) const {
  for (const auto& p : ports) {
    if (p.name == n) return p;
  }
  throw std::runtime_error("no port " + n + " on " + name);
}

DownOutcome down_and_compare(const std::string& name, const Snapshot& before) {
  DownOutcome out;
  out.down = run_lab("down --name " + name);
  out.difference = describe_difference(before, snapshot(name));
  return out;
}

KillSweep kill_up_then_down(const std::vector<std::string>& up_args, const std::vector<int>& delays_ms) {
  KillSweep sweep;
  for (const int delay_ms : delays_ms) {
    const std::string name = unique_lab_name();
    const std::string what = "kill after " + std::to_string(delay_ms) + " ms, lab " + name + ": ";
    const Snapshot before = snapshot(name);
    std::vector<std::string> args = {"up", "--name", name};
    args.insert(args.end(), up_args.begin(), up_args.end());
    if (!run_lab_killed_after(args, std::chrono::milliseconds(delay_ms))) sweep.failures += what + "mixnet-lab did not start\n";
    sweep.something_made += snapshot(name) == before ? 0 : 1;
    const auto down = down_and_compare(name, before);
    if (down.down.exit_code != 0) sweep.failures += what + "down failed: " + down.down.output + "\n";
    if (!down.difference.empty()) sweep.failures += what + "down left a difference:\n" + down.difference;
  }
  return sweep;
}

const LabSwitch& LabInventory::ocs(const std::string& n) const {
  for (const auto& s : switches) {
    if (s.name == n) return s;
  }
  throw std::runtime_error("no switch " + n);
}

const LabHost& LabInventory::host(const std::string& n) const {
  for (const auto& h : hosts) {
    if (h.name == n) return h;
  }
  throw std::runtime_error("no host " + n);
}

LabInventory read_inventory(const std::string& dir) {
  LabInventory lab;
  lab.dir = dir;
  const YAML::Node root = YAML::LoadFile(dir + "/inventory.yaml");
  std::istringstream token(slurp(dir + "/" + root["hosts"][0]["agent"]["token_file"].as<std::string>()));
  std::getline(token, lab.token);
  const std::string lab_name = root["name"].as<std::string>().substr(std::string("mixnet-lab ").size());
  for (const auto& h : root["hosts"]) {
    LabHost host;
    host.name = h["name"].as<std::string>();
    host.netns = "mxl-" + lab_name + "-" + host.name;
    host.agent_url = h["agent"]["url"].as<std::string>();
    std::tie(host.agent_host, host.agent_port) = host_port(host.agent_url);
    for (const auto& p : h["ports"]) {
      LabPort port;
      port.name = p["name"].as<std::string>();
      const auto a = p["address"].as<std::string>();
      port.address = a.substr(0, a.find('/'));
      port.mac = p["mac"].as<std::string>();
      if (p["ocs"]) {
        port.ocs = true;
        port.switch_name = p["ocs"]["switch"].as<std::string>();
        if (p["ocs"]["tx"]) port.tx = p["ocs"]["tx"].as<int>();
        if (p["ocs"]["rx"]) port.rx = p["ocs"]["rx"].as<int>();
        if (p["ocs"]["port"]) port.port = p["ocs"]["port"].as<int>();
      }
      host.ports.push_back(port);
    }
    lab.hosts.push_back(std::move(host));
  }
  if (const auto tls = root["tls"]) {
    lab.tls.ca_file = tls["agent_ca_file"].as<std::string>();
    if (tls["client_cert_file"]) lab.tls.cert_file = tls["client_cert_file"].as<std::string>();
    if (tls["client_key_file"]) lab.tls.key_file = tls["client_key_file"].as<std::string>();
  }
  for (const auto& sw : root["switches"]) {
    if (sw["kind"].as<std::string>() != "ocs") continue;
    LabSwitch s;
    s.name = sw["name"].as<std::string>();
    s.tl1_uri = sw["uri"].as<std::string>();
    s.rest_uri = sw["alt_uris"][0].as<std::string>();
    std::tie(s.control_host, s.control_port) = host_port(sw["ground_truth"]["url"].as<std::string>());
    lab.switches.push_back(std::move(s));
  }
  if (lab.switches.empty()) throw std::runtime_error(dir + "/inventory.yaml has no OCS");
  lab.tl1_uri = lab.switches.front().tl1_uri;
  lab.rest_uri = lab.switches.front().rest_uri;
  lab.control_host = lab.switches.front().control_host;
  lab.control_port = lab.switches.front().control_port;
  return lab;
}

LabUnderTest::LabUnderTest(const std::string& extra_args) : name_(unique_lab_name()) {
  const auto r = run_lab("up --name " + name_ + " " + extra_args);
  if (r.exit_code != 0) {
    (void)run_lab("down --name " + name_);
    throw std::runtime_error("mixnet-lab up failed (" + std::to_string(r.exit_code) + "): " + r.output);
  }
  inventory_ = read_inventory(dir());
}

namespace {

// Whether a kernel worker is tearing a network namespace down now: while it runs a work item of
// the "netns" workqueue its name ends in "-netns" (the queue's rescuer, "kworker/R-netns", always
// does and is left out).
bool netns_cleanup_running() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "comm");
    std::string comm;
    std::getline(in, comm);
    if (comm.starts_with("kworker/") && comm.ends_with("-netns") && comm.find("/R-") == std::string::npos) return true;
  }
  return false;
}

// The kernel frees a namespace's devices and sockets after `down` has returned, on one worker: a
// 32-host lab's hundreds of veths and thousands of sockets keep it busy for a second or more, and
// the next test (a 1 ms timing check against ground truth) would share the CPU with it. Wait until
// no teardown has run for 300 ms, at most 30 s.
void wait_for_netns_teardown() {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto quiet_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < give_up) {
    const auto now = std::chrono::steady_clock::now();
    if (netns_cleanup_running()) quiet_since = now;
    if (now - quiet_since >= std::chrono::milliseconds(300)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

LabUnderTest::~LabUnderTest() {
  (void)run_lab("down --name " + name_);
  wait_for_netns_teardown();
  // `down` leaves the lab's folder when a test wrote files of its own there (derived inventories
  // beside the lab's, whose relative token paths resolve there): it never deletes what it did not
  // make. The folder is this test's alone, so the test removes what is left.
  std::error_code ec;
  std::filesystem::remove_all(dir(), ec);
}

HttpReply LabUnderTest::agent(const std::string& host, const std::string& target, const std::string& method,
                              const std::string& body) const {
  HttpCall call;
  call.method = method;
  call.target = target;
  call.body = body;
  call.token = inventory_.token;
  return agent_call(host, call);
}

HttpReply LabUnderTest::agent_call(const std::string& host, const HttpCall& call) const {
  return https_request(inventory_.host(host).agent_url, inventory_.tls, call);
}

HttpReply LabUnderTest::control(const std::string& target, const std::string& method, const std::string& body) const {
  return control_of(inventory_.switches.front().name, target, method, body);
}

HttpReply LabUnderTest::control_of(const std::string& switch_name, const std::string& target, const std::string& method,
                                   const std::string& body) const {
  HttpCall call;
  call.method = method;
  call.target = target;
  call.body = body;
  call.token = inventory_.token;
  const LabSwitch& sw = inventory_.ocs(switch_name);
  return http_request(sw.control_host, sw.control_port, call);
}

bool LabUnderTest::carrier(const std::string& host, const std::string& port) const {
  const auto r = agent(host, "/v1/ports/" + port);
  if (r.status != 200) throw std::runtime_error("GET /v1/ports/" + port + " on " + host + ": " + r.body);
  return r.json().at("carrier").get<bool>();
}

bool LabUnderTest::wait_carrier(const std::string& host, const std::string& port, bool want,
                                std::chrono::milliseconds deadline) const {
  const auto end = Clock::now() + deadline;
  while (Clock::now() < end) {
    if (carrier(host, port) == want) return true;
    std::this_thread::sleep_for(20ms);
  }
  return carrier(host, port) == want;
}

CommandResult LabUnderTest::fault(const std::string& args) const { return run_lab("fault --name " + name_ + " " + args); }

int LabUnderTest::kill_agent(const std::string& host) const {
  std::istringstream pids(run_command("ip netns pids " + inventory_.host(host).netns));
  int killed = 0;
  for (std::string pid; std::getline(pids, pid);) {
    if (!pid.empty() && ::kill(std::stoi(pid), SIGKILL) == 0) ++killed;
  }
  return killed;
}

std::string patch_two_way(const LabUnderTest& lab, const std::string& a, const std::string& b, bool connect,
                          const std::string& port) {
  const auto& inv = lab.inventory();
  const LabPort& pa = inv.host(a).port(port);
  const LabPort& pb = inv.host(b).port(port);
  auto sw = mixnet::ocs::open_switch(inv.tl1_uri);
  if (!sw) return sw.error().describe();
  ocs::ChangeSet change;
  if (connect) {
    change.connect = {{std::to_string(pa.tx), std::to_string(pb.rx), false}, {std::to_string(pb.tx), std::to_string(pa.rx), false}};
  } else {
    change.disconnect = {std::to_string(pa.tx), std::to_string(pb.tx)};
  }
  const auto r = (*sw)->apply(change);
  return r ? std::string() : r.error().describe();
}

bool udp_reaches(const LabInventory& lab, const std::string& src_host, const std::string& src_port,
                 const std::string& dst_host, const std::string& dst_port) {
  const LabHost& sh = lab.host(src_host);
  const LabHost& dh = lab.host(dst_host);
  const LabPort& sp = sh.port(src_port);
  const LabPort& dp = dh.port(dst_port);
  const auto nonce = std::to_string(std::random_device{}());
  const unsigned short udp_port = 47000;
  auto bound_socket = [](const std::string& dev, const std::string& addr, unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket");
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(), static_cast<socklen_t>(dev.size())) != 0) {
      ::close(fd);
      throw std::runtime_error("SO_BINDTODEVICE " + dev);
    }
    const int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
      ::close(fd);
      throw std::runtime_error("SO_REUSEADDR on " + dev);
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      ::close(fd);
      throw std::runtime_error("bind " + addr + " on " + dev);
    }
    return fd;
  };
  std::atomic<bool> ready{false}, got{false}, stop{false};
  std::string error;
  std::thread receiver([&] {
    try {
      enter_namespace(dh.netns);
      const int fd = bound_socket(dp.name, dp.address, udp_port);
      const timeval tv{0, 100'000};
      if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
        ::close(fd);
        throw std::runtime_error("SO_RCVTIMEO");
      }
      ready = true;
      const auto end = Clock::now() + 2500ms;
      while (Clock::now() < end && !got) {
        char buf[64];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0 && std::string(buf, static_cast<std::size_t>(n)) == nonce) got = true;
      }
      ::close(fd);
    } catch (const std::exception& e) {
      error = e.what();
      ready = true;
    }
    stop = true;
  });
  while (!ready) std::this_thread::sleep_for(1ms);
  std::thread sender([&] {
    try {
      enter_namespace(sh.netns);
      const int fd = bound_socket(sp.name, sp.address, udp_port);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(udp_port);
      ::inet_pton(AF_INET, dp.address.c_str(), &to.sin_addr);
      for (int i = 0; i < 40 && !stop; ++i) {
        (void)::sendto(fd, nonce.data(), nonce.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        std::this_thread::sleep_for(50ms);
      }
      ::close(fd);
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  sender.join();
  receiver.join();
  if (!error.empty()) throw std::runtime_error("udp_reaches: " + error);
  return got;
}

}  // namespace mixnet::testing
