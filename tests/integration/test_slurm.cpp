// Telling a real Slurm (docs/health/slurm.md): munged with a generated key, slurmctld with its own
// slurm.conf on private ports, and one slurmd per node, each in its own network namespace with
// its own address from 198.18.0.0/15, so a node is really registered (a node no slurmd serves
// stays UNKNOWN and cannot be resumed). Everything lives under a scratch folder and in
// namespaces named mxt-<pid>-<n>; the daemons are this test's children and are stopped on every
// exit path. Needs root and Debian's slurmctld, slurmd, slurm-client and munge packages.
//
// One Slurm for the whole story, night by night: drain with our reason (scontrol and sinfo -R
// show it), a node drained by hand before the run is never touched, a dry run prints the
// commands and changes nothing, a pass resumes what we drained, and a node whose reason someone
// changed is left drained.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <type_traits>

#include "common/subprocess.hpp"
#include "coordinator/scheduler/drain_policy.hpp"
#include "coordinator/scheduler/slurm_scheduler.hpp"
#include "coordinator/store/drain_records.hpp"
#include "coordinator/store/store.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/scratch_dir.hpp"

extern char** environ;

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::scheduler;
using namespace std::chrono_literals;

namespace {

// A daemon run in the foreground as our child, its output in a log file; stopped (TERM, then
// KILL) when the object goes.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) : name_(argv.front()) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<std::string> copy = argv;
    std::vector<char*> args;
    for (auto& a : copy) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("start " + name_ + ": " + std::strerror(rc));
  }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {   // 5 s to exit cleanly
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  [[nodiscard]] bool running() const {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  std::string name_;
  pid_t pid_ = -1;
};

std::string short_hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  std::string s = name;
  return s.substr(0, s.find('.'));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Munge, slurmctld and a slurmd per node; scontrol and sinfo are run from a thread in the
// controller's namespace.
class SlurmLab {
 public:
  static constexpr int kNodes = 3;

  SlurmLab() {
    ::chmod(dir_.path.c_str(), 0700);
    ctl_ns_ = net_.add_namespace();
    net_.ip(ctl_ns_, "link add br0 type bridge");
    net_.ip(ctl_ns_, "addr add 198.18.250.1/24 dev br0");
    net_.ip(ctl_ns_, "link set br0 up");
    for (int i = 1; i <= kNodes; ++i) {
      const auto ns = net_.add_namespace();
      node_ns_.push_back(ns);
      net_.add_veth(ctl_ns_, "sl" + std::to_string(i), ns, "eth0");
      net_.ip(ctl_ns_, "link set sl" + std::to_string(i) + " master br0");
      net_.ip(ns, "addr add 198.18.250." + std::to_string(10 + i) + "/24 dev eth0");
      std::filesystem::create_directories(dir_.path + "/spool/n" + std::to_string(i));
    }
    std::filesystem::create_directories(dir_.path + "/state");
    write_key();
    write_conf();
    munged_ = std::make_unique<Child>(std::vector<std::string>{
        "munged", "-F", "--force", "--key-file=" + dir_.path + "/munge.key", "--socket=" + socket(),
        "--pid-file=" + dir_.path + "/munged.pid", "--log-file=" + dir_.path + "/munged.log",
        "--seed-file=" + dir_.path + "/munged.seed"}, dir_.path + "/munged.out");
    wait_for([&] { return std::filesystem::exists(socket()); }, "munged's socket");
    // nsenter changes only the network namespace; `ip netns exec` would also remount /sys, and
    // slurmd then finds no cgroup file system and refuses to start.
    ctld_ = std::make_unique<Child>(std::vector<std::string>{
        "nsenter", "--net=/run/netns/" + ctl_ns_, "slurmctld", "-D", "-i", "-f", conf()}, dir_.path + "/slurmctld.out");
    for (int i = 1; i <= kNodes; ++i) {
      slurmds_.push_back(std::make_unique<Child>(std::vector<std::string>{
          "nsenter", "--net=/run/netns/" + node_ns_[static_cast<std::size_t>(i - 1)], "slurmd", "-D", "-f", conf(),
          "-N", "n" + std::to_string(i)}, dir_.path + "/slurmd-n" + std::to_string(i) + ".out"));
    }
    wait_for([&] {
      for (int i = 1; i <= kNodes; ++i) {
        auto st = in_ctl([&] { return slurm().show("n" + std::to_string(i)); });
        if (!st || !st->has_flag("IDLE") || st->has_flag("NOT_RESPONDING")) return false;
      }
      return true;
    }, "every node registered and idle");
  }

  ~SlurmLab() {
    slurmds_.clear();
    ctld_.reset();
    munged_.reset();
  }

  [[nodiscard]] std::string conf() const { return dir_.path + "/slurm.conf"; }
  [[nodiscard]] std::string socket() const { return dir_.path + "/munge.sock"; }
  [[nodiscard]] std::string db() const { return dir_.path + "/results.db"; }
  [[nodiscard]] const std::string& ctl_ns() const { return ctl_ns_; }

  SlurmScheduler slurm() const { return SlurmScheduler(SlurmOptions{.scontrol = "scontrol", .slurm_conf = conf(), .timeout = 20s}); }

  // Runs fn where scontrol reaches the controller.
  template <class F>
  auto in_ctl(F&& fn) -> std::invoke_result_t<F&> {
    return net_.run_in(ctl_ns_, std::forward<F>(fn));
  }

  // A Slurm command as an administrator would type it; returns stdout, throws on failure.
  std::string admin(const std::vector<std::string>& argv) {
    auto r = in_ctl([&] {
      return run_program(ProgramRun{.argv = argv, .input = {}, .timeout = 20s, .env = {{"SLURM_CONF", conf()}}, .merge_stderr = false});
    });
    if (!r) throw std::runtime_error(r.error().describe());
    if (r->exit_code != 0) throw std::runtime_error(shell_quote(argv) + ": " + r->err);
    return r->out;
  }

  // `sinfo -R`: "node|reason|user" lines of every drained or down node.
  std::string sinfo_reasons() { return admin({"sinfo", "-R", "-h", "-N", "-o", "%N|%E|%u"}); }

  std::string logs() const {
    std::string all;
    for (const char* f : {"slurmctld.log", "slurmctld.out", "munged.log", "slurmd-n1.log"}) all += std::string("== ") + f + "\n" + read_text(dir_.path + "/" + f);
    return all;
  }

 private:
  void write_key() const {
    const auto key = dir_.path + "/munge.key";
    std::ifstream random("/dev/urandom", std::ios::binary);
    std::string bytes(1024, '\0');
    random.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(key, std::ios::binary) << bytes;
    ::chmod(key.c_str(), 0600);
  }

  void write_conf() const {
    const auto& d = dir_.path;
    std::ofstream out(conf());
    out << "ClusterName=mxt" << ::getpid() << "\n"
        << "SlurmctldHost=" << short_hostname() << "(198.18.250.1)\n"
        << "SlurmctldPort=16817\nSlurmdPort=16818\n"
        << "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << socket() << "\n"
        << "SlurmUser=root\nSlurmdUser=root\nMailProg=/bin/true\n"
        << "StateSaveLocation=" << d << "/state\nSlurmdSpoolDir=" << d << "/spool/%n\n"
        << "SlurmctldPidFile=" << d << "/slurmctld.pid\nSlurmdPidFile=" << d << "/slurmd-%n.pid\n"
        << "SlurmctldLogFile=" << d << "/slurmctld.log\nSlurmdLogFile=" << d << "/slurmd-%n.log\n"
        << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nMpiDefault=none\n"
        << "ReturnToService=2\nSchedulerType=sched/builtin\nSelectType=select/linear\n"
        << "JobCompType=jobcomp/none\nAccountingStorageType=accounting_storage/none\n";
    for (int i = 1; i <= kNodes; ++i) out << "NodeName=n" << i << " NodeAddr=198.18.250." << 10 + i << " CPUs=1 State=UNKNOWN\n";
    out << "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n";
  }

  template <class Pred>
  void wait_for(Pred done, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + 45s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("timed out waiting for " + what + "\n" + logs());
      std::this_thread::sleep_for(200ms);
    }
  }

  mixnet::testing::ScratchDir dir_{"mixnet-slurm-test"};
  mixnet::testing::NetnsFixture net_;
  std::string ctl_ns_;
  std::vector<std::string> node_ns_;
  std::unique_ptr<Child> munged_;
  std::unique_ptr<Child> ctld_;
  std::vector<std::unique_ptr<Child>> slurmds_;
};

health::Blame blame(const std::string& host, const std::string& reason) {
  health::Blame b;
  b.severity = health::Severity::critical;
  b.kind = health::PartKind::port;
  b.part = host + ":ocs0";
  b.hosts = {host};
  b.reason = reason;
  return b;
}

std::string all_of(const std::vector<SchedulerAction>& actions) {
  std::string out;
  for (const auto& a : actions) out += describe(a) + "\n";
  return out;
}

const SchedulerAction& only_action_for(const std::vector<SchedulerAction>& actions, const std::string& host) {
  const SchedulerAction* found = nullptr;
  for (const auto& a : actions) {
    if (a.host != host) continue;
    if (found != nullptr) throw std::runtime_error("two actions for " + host);
    found = &a;
  }
  if (found == nullptr) throw std::runtime_error("no action for " + host);
  return *found;
}

}  // namespace

TEST_CASE("a real Slurm: drain with our reason, never touch an admin's drain, dry run, resume, changed reason left alone") {
  SlurmLab lab;
  auto store = ResultsStore::open(lab.db());
  REQUIRE(store.has_value());
  auto records = DrainRecords::open((*store)->handle());
  REQUIRE(records.has_value());
  SchedulerConfig config;
  config.nodes = {{"h1", "n1"}, {"h2", "n2"}, {"h3", "n3"}};
  config.slurm_conf = lab.conf();
  const std::string h1_reason = "h1:ocs0 failed with 2 partners (3.1 Gb/s < 9.0)";

  // Before the run an administrator drains n2 by hand.
  lab.admin({"scontrol", "update", "NodeName=n2", "State=DRAIN", "Reason=admin: replacing PSU"});

  // Night 1: h1 and h2 blamed critical, h3 passes.
  auto night1 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    return apply_scheduler({blame("h1", h1_reason), blame("h2", "h2 unreachable")}, {"h3"}, config, *records, slurm, "night-1", 1);
  });
  REQUIRE(night1.has_value());
  INFO(all_of(*night1));
  CHECK(only_action_for(*night1, "h1").status == ActionStatus::done);
  CHECK(only_action_for(*night1, "h2").status == ActionStatus::skipped);
  CHECK(night1->size() == 2);
  auto n1 = lab.in_ctl([&] { return lab.slurm().show("n1"); });
  REQUIRE(n1.has_value());
  CHECK(n1->drained());
  CHECK(n1->reason == "mixnet: " + h1_reason);
  CHECK(n1->reason_user == "root");
  const auto reasons = lab.sinfo_reasons();
  INFO(reasons);
  CHECK(reasons.find("n1|mixnet: " + h1_reason + "|root") != std::string::npos);
  CHECK(reasons.find("n2|admin: replacing PSU|root") != std::string::npos);
  CHECK(reasons.find("n3|") == std::string::npos);
  auto recorded = records->open_drain("slurm", "n1");
  REQUIRE(recorded.has_value());
  REQUIRE(recorded->has_value());
  CHECK((*recorded)->reason == "mixnet: " + h1_reason);
  CHECK((*recorded)->set_by == "root");
  CHECK((*recorded)->set_at == n1->reason_time);
  CHECK_FALSE(records->open_drain("slurm", "n2")->has_value());

  // Night 2, a dry run: h3 blamed, h1 passes. The commands are printed; nothing changes.
  std::ostringstream printed;
  auto night2 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    DryRunScheduler dry(slurm, printed);
    return apply_scheduler({blame("h3", "h3:ocs1 dark")}, {"h1", "h2"}, config, *records, dry, "night-2", 2);
  });
  REQUIRE(night2.has_value());
  CHECK(only_action_for(*night2, "h3").status == ActionStatus::printed);
  CHECK(only_action_for(*night2, "h1").status == ActionStatus::printed);
  CHECK(printed.str() ==
        "dry-run: SLURM_CONF=" + lab.conf() + " scontrol update NodeName=n3 State=DRAIN 'Reason=mixnet: h3:ocs1 dark'\n"
        "dry-run: SLURM_CONF=" + lab.conf() + " scontrol update NodeName=n1 State=RESUME\n");
  CHECK(lab.sinfo_reasons() == reasons);
  CHECK(records->open_drain("slurm", "n1")->has_value());

  // Night 3: everyone passes. n1 (ours) is resumed; n2 (the admin's) stays drained.
  auto night3 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    return apply_scheduler({}, {"h1", "h2", "h3"}, config, *records, slurm, "night-3", 3);
  });
  REQUIRE(night3.has_value());
  REQUIRE(night3->size() == 1);
  CHECK(only_action_for(*night3, "h1").status == ActionStatus::done);
  CHECK(only_action_for(*night3, "h1").verb == Verb::resume);
  auto n1_after = lab.in_ctl([&] { return lab.slurm().show("n1"); });
  REQUIRE(n1_after.has_value());
  CHECK_FALSE(n1_after->drained());
  auto n2_after = lab.in_ctl([&] { return lab.slurm().show("n2"); });
  REQUIRE(n2_after.has_value());
  CHECK(n2_after->drained());
  CHECK(n2_after->reason == "admin: replacing PSU");
  CHECK(records->history("slurm", "n1")->front().closed_how == "resumed");

  // Night 4: h3 blamed and drained; then someone edits its reason. Night 5: h3 passes but the
  // node is no longer ours to resume.
  auto night4 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    return apply_scheduler({blame("h3", "h3:ocs1 dark")}, {"h1"}, config, *records, slurm, "night-4", 4);
  });
  REQUIRE(night4.has_value());
  CHECK(only_action_for(*night4, "h3").status == ActionStatus::done);
  lab.admin({"scontrol", "update", "NodeName=n3", "State=DRAIN", "Reason=mixnet: h3:ocs1 dark -- bob: optics ordered"});
  auto night5 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    return apply_scheduler({}, {"h1", "h2", "h3"}, config, *records, slurm, "night-5", 5);
  });
  REQUIRE(night5.has_value());
  const auto& h3 = only_action_for(*night5, "h3");
  CHECK(h3.status == ActionStatus::skipped);
  CHECK(h3.why.find("reason changed") != std::string::npos);
  auto n3 = lab.in_ctl([&] { return lab.slurm().show("n3"); });
  REQUIRE(n3.has_value());
  CHECK(n3->drained());
  CHECK(n3->reason == "mixnet: h3:ocs1 dark -- bob: optics ordered");
  CHECK(records->history("slurm", "n3")->front().closed_how == "reason_changed");
  CHECK(lab.in_ctl([&] { return lab.slurm().show("n2"); })->drained());
}
