#include "tests/integration/slurm_cluster.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/subprocess.hpp"
#include "coordinator/scheduler/scontrol_parse.hpp"

namespace mixnet::testing {

namespace {

using namespace std::chrono_literals;

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

// argv run in network namespace `ns` (nsenter changes only the network namespace).
std::vector<std::string> in_netns(const std::string& ns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"nsenter", "--net=/run/netns/" + ns});
  return argv;
}

}  // namespace

DaemonChild::DaemonChild(const std::vector<std::string>& argv, const std::string& log) : name_(argv.front()) {
  // fork + exec rather than posix_spawn: the daemon must die with us (PR_SET_PDEATHSIG), so a
  // test killed part-way (a crash, a closed pipe) leaves no Slurm running. Everything the child
  // needs is made before the fork.
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (null_fd < 0 || log_fd < 0) throw std::runtime_error("start " + name_ + ": open " + log + ": " + std::strerror(errno));
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);   // we died before the prctl took effect
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(null_fd);
  ::close(log_fd);
  if (pid_ < 0) throw std::runtime_error("start " + name_ + ": fork: " + std::strerror(fork_errno));
}

DaemonChild::~DaemonChild() { stop(); }

void DaemonChild::stop() {
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

SlurmCluster::SlurmCluster(SlurmClusterSpec spec) : spec_(std::move(spec)) {
  ::chmod(dir_.path.c_str(), 0700);
  for (const auto& n : spec_.nodes) std::filesystem::create_directories(dir_.path + "/spool/" + n.name);
  std::filesystem::create_directories(dir_.path + "/state");
  write_key();
  write_conf();
  const auto& d = dir_.path;
  munged_ = std::make_unique<DaemonChild>(
      std::vector<std::string>{"munged", "-F", "--force", "--key-file=" + d + "/munge.key", "--socket=" + socket(),
                               "--pid-file=" + d + "/munged.pid", "--log-file=" + d + "/munged.log", "--seed-file=" + d + "/munged.seed"},
      d + "/munged.out");
  wait_for([&] { return std::filesystem::exists(socket()); }, "munged's socket");
  ctld_ = std::make_unique<DaemonChild>(in_netns(spec_.controller_netns, {"slurmctld", "-D", "-i", "-f", conf()}), d + "/slurmctld.out");
  for (const auto& n : spec_.nodes) {
    slurmds_.push_back(std::make_unique<DaemonChild>(in_netns(n.netns, {"slurmd", "-D", "-f", conf(), "-N", n.name}),
                                                     d + "/slurmd-" + n.name + ".out"));
  }
  wait_for([&] {
    for (const auto& n : spec_.nodes) {
      auto r = run_program(ProgramRun{.argv = in_netns(spec_.controller_netns, {"scontrol", "show", "node", "-o", n.name}),
                                      .input = {}, .timeout = 20s, .env = {{"SLURM_CONF", conf()}}, .merge_stderr = false});
      if (!r || r->exit_code != 0) return false;
      auto st = coord::scheduler::parse_scontrol_node(r->out, n.name);
      if (!st || !st->has_flag("IDLE") || st->has_flag("NOT_RESPONDING")) return false;
    }
    return true;
  }, "every node registered and idle");
}

SlurmCluster::~SlurmCluster() {
  slurmds_.clear();
  ctld_.reset();
  munged_.reset();
}

std::string SlurmCluster::admin(const std::vector<std::string>& argv) const {
  auto r = run_program(ProgramRun{.argv = in_netns(spec_.controller_netns, argv), .input = {}, .timeout = 20s,
                                  .env = {{"SLURM_CONF", conf()}}, .merge_stderr = false});
  if (!r) throw std::runtime_error(r.error().describe());
  if (r->exit_code != 0) throw std::runtime_error(shell_quote(argv) + ": " + r->err);
  return r->out;
}

coord::scheduler::NodeState SlurmCluster::show(const std::string& node) const {
  auto st = coord::scheduler::parse_scontrol_node(admin({"scontrol", "show", "node", "-o", node}), node);
  if (!st) throw std::runtime_error(st.error().describe());
  return *st;
}

std::string SlurmCluster::sinfo_reasons() const { return admin({"sinfo", "-R", "-h", "-N", "-o", "%N|%E|%u"}); }

std::string SlurmCluster::logs() const {
  std::string all;
  std::vector<std::string> files = {"slurmctld.log", "slurmctld.out", "munged.log"};
  for (const auto& n : spec_.nodes) {
    files.push_back("slurmd-" + n.name + ".log");
    files.push_back("slurmd-" + n.name + ".out");
  }
  for (const auto& f : files) all += "== " + f + "\n" + read_text(dir_.path + "/" + f);
  return all;
}

void SlurmCluster::write_key() const {
  const auto key = dir_.path + "/munge.key";
  std::ifstream random("/dev/urandom", std::ios::binary);
  std::string bytes(1024, '\0');
  random.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::ofstream(key, std::ios::binary) << bytes;
  ::chmod(key.c_str(), 0600);
}

void SlurmCluster::write_conf() const {
  const auto& d = dir_.path;
  std::ofstream out(conf());
  // Private ports: each daemon listens in its own namespace, so two tests never meet.
  out << "ClusterName=mxt" << ::getpid() << "\n"
      << "SlurmctldHost=" << short_hostname() << "(" << spec_.controller_address << ")\n"
      << "SlurmctldPort=16817\nSlurmdPort=16818\n"
      << "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << socket() << "\n"
      << "SlurmUser=root\nSlurmdUser=root\nMailProg=/bin/true\n"
      << "StateSaveLocation=" << d << "/state\nSlurmdSpoolDir=" << d << "/spool/%n\n"
      << "SlurmctldPidFile=" << d << "/slurmctld.pid\nSlurmdPidFile=" << d << "/slurmd-%n.pid\n"
      << "SlurmctldLogFile=" << d << "/slurmctld.log\nSlurmdLogFile=" << d << "/slurmd-%n.log\n"
      << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nMpiDefault=none\n"
      << "ReturnToService=2\nSchedulerType=sched/builtin\nSelectType=select/linear\n"
      << "JobCompType=jobcomp/none\nAccountingStorageType=accounting_storage/none\n";
  for (const auto& n : spec_.nodes) out << "NodeName=" << n.name << " NodeAddr=" << n.address << " CPUs=1 State=UNKNOWN\n";
  out << "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n";
}

template <class Pred>
void SlurmCluster::wait_for(Pred done, const std::string& what) const {
  const auto deadline = std::chrono::steady_clock::now() + 45s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("timed out waiting for " + what + "\n" + logs());
    std::this_thread::sleep_for(200ms);
  }
}

}  // namespace mixnet::testing
