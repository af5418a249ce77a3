#pragma once
// The job scheduler as the nightly health check sees it (docs/health/slurm.md): a node's state,
// its drain reason and who set it, and the two changes we make: drain with a reason, resume.
// SlurmScheduler (slurm_scheduler.hpp) drives `scontrol`; tests use a fake.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace mixnet::coord::scheduler {

// One node as the scheduler shows it now.
struct NodeState {
  std::string node;
  std::string state;                 // as shown: "IDLE+DRAIN", "DOWN+DRAIN+NOT_RESPONDING"
  std::vector<std::string> flags;    // the state split at '+': {"IDLE", "DRAIN"}
  std::string reason;                // the drain/down reason, empty when none
  std::string reason_user;           // who set the reason ("root"), empty when none
  std::string reason_time;           // when, as the scheduler prints it ("2026-12-06T20:02:08")

  // Taken out of service by an administrator or by us (Slurm's DRAIN flag: draining or drained).
  [[nodiscard]] bool drained() const;
  [[nodiscard]] bool has_flag(std::string_view flag) const;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // "slurm"; what the drain records name as the scheduler.
  [[nodiscard]] virtual std::string_view kind() const = 0;
  // True when drain() and resume() only print what they would do (a dry run).
  [[nodiscard]] virtual bool dry_run() const = 0;
  // The node's state now. Errc::not_found when the scheduler has no such node; every error
  // names the node and the command.
  virtual Result<NodeState> show(const std::string& node) = 0;
  // Takes the node out of service with `reason` (one line).
  virtual Result<void> drain(const std::string& node, const std::string& reason) = 0;
  // Returns a drained node to service.
  virtual Result<void> resume(const std::string& node) = 0;
};

}  // namespace mixnet::coord::scheduler
