#pragma once
// Runs the real mixnet-coord for tests: a playbook written by the test into a scratch folder,
// against a lab's inventory, with its own results store, and reads results.json back.
#include <string>
#include <sys/types.h>

#include <nlohmann/json.hpp>

namespace mixnet::testing {

struct CoordRun {
  int exit_code = -1;
  std::string output;
  nlohmann::json results;   // results.json (null when none was written)
  [[nodiscard]] const nlohmann::json& step(const std::string& name) const;   // throws when absent
  // The last attempt's verdict of item `id` in step `step_name` (throws when absent).
  [[nodiscard]] const nlohmann::json& item(const std::string& step_name, const std::string& id) const;
};

// A scratch folder (removed by the destructor) holding playbooks, run folders and the store.
class CoordScratch {
 public:
  CoordScratch();
  ~CoordScratch();
  CoordScratch(const CoordScratch&) = delete;
  CoordScratch& operator=(const CoordScratch&) = delete;
  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] std::string db() const { return dir_ + "/results.db"; }
  // Writes a playbook; its `topologies:` may name "prototype.yaml" and "cover.yaml", copied in.
  std::string write_playbook(const std::string& name, const std::string& yaml) const;

  // `mixnet-coord run PLAYBOOK -i INVENTORY --db .. --out ..` plus extra args; waits.
  CoordRun run(const std::string& playbook, const std::string& inventory, const std::string& extra = "",
               const std::string& out_name = "run") const;
  // The same, started in the background; returns the pid (output to a file in the scratch dir).
  pid_t start(const std::string& playbook, const std::string& inventory, const std::string& extra,
              const std::string& out_name) const;
  // Waits for a background run; collects it like run().
  CoordRun wait(pid_t pid, const std::string& out_name) const;
  // Any other `mixnet-coord ARGS` (stdout+stderr, exit code).
  CoordRun command(const std::string& args) const;

 private:
  std::string dir_;
};

}  // namespace mixnet::testing
