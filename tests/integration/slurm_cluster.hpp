#pragma once
// A real Slurm for tests (docs/health/slurm.md): munged with a generated key, slurmctld with its
// own slurm.conf on private ports, and one `slurmd -N NAME` per node, each in the network
// namespace the test names for it, so every node is really registered (a node no slurmd serves
// stays UNKNOWN and cannot be resumed). The test builds the namespaces and the links between
// them; this class only starts the daemons there. Everything lives under a scratch folder; the
// daemons are this process's children, stopped (TERM, then KILL) on every exit path and killed
// with this process if it dies first.
// Needs root and Debian's slurmctld, slurmd, slurm-client and munge packages.
//
// Daemons are started with `nsenter --net=...`, not `ip netns exec`, which also remounts /sys:
// slurmd then finds no cgroup file system and refuses to start.
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "coordinator/scheduler/scheduler.hpp"
#include "tests/support/scratch_dir.hpp"

namespace mixnet::testing {

struct SlurmNodeSpec {
  std::string name;      // the Slurm node (NodeName, slurmd -N)
  std::string netns;     // the namespace its slurmd runs in
  std::string address;   // its address there (NodeAddr); the controller must reach it
};

struct SlurmClusterSpec {
  std::string controller_netns;     // the namespace slurmctld runs in
  std::string controller_address;   // its address there; every node, and every scontrol, must reach it
  std::vector<SlurmNodeSpec> nodes;
};

// A daemon run in the foreground as our child (optionally in a network namespace), its output
// appended to a log file; stopped (TERM, 5 s, then KILL) when the object goes, and killed by the
// kernel when this process dies first (PR_SET_PDEATHSIG).
class DaemonChild {
 public:
  DaemonChild(const std::vector<std::string>& argv, const std::string& log);
  ~DaemonChild();
  DaemonChild(const DaemonChild&) = delete;
  DaemonChild& operator=(const DaemonChild&) = delete;
  void stop();

 private:
  std::string name_;
  pid_t pid_ = -1;
};

class SlurmCluster {
 public:
  // Starts munged, slurmctld and the slurmds; returns once every node is registered and idle
  // (45 s, then throws with the daemons' logs).
  explicit SlurmCluster(SlurmClusterSpec spec);
  ~SlurmCluster();
  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;

  [[nodiscard]] std::string conf() const { return dir_.path + "/slurm.conf"; }
  [[nodiscard]] std::string socket() const { return dir_.path + "/munge.sock"; }
  [[nodiscard]] const std::string& dir() const { return dir_.path; }

  // A Slurm command as an administrator types it (scontrol, sinfo), run in the controller's
  // namespace with this cluster's SLURM_CONF; returns stdout, throws with stderr on failure.
  std::string admin(const std::vector<std::string>& argv) const;
  // `scontrol show node -o NODE`, read by the coordinator's own parser; throws on failure.
  [[nodiscard]] coord::scheduler::NodeState show(const std::string& node) const;
  // `sinfo -R`: "node|reason|user" lines of every drained or down node.
  [[nodiscard]] std::string sinfo_reasons() const;
  // Every daemon's log, for a failure message.
  [[nodiscard]] std::string logs() const;

 private:
  void write_key() const;
  void write_conf() const;
  template <class Pred>
  void wait_for(Pred done, const std::string& what) const;

  SlurmClusterSpec spec_;
  ScratchDir dir_{"mixnet-slurm"};
  std::unique_ptr<DaemonChild> munged_;
  std::unique_ptr<DaemonChild> ctld_;
  std::vector<std::unique_ptr<DaemonChild>> slurmds_;
};

}  // namespace mixnet::testing
