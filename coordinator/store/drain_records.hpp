#pragma once
// What this tool drained in the scheduler (docs/health/slurm.md): which node, for which host, the
// exact reason we set, who Slurm says set it and when, and how the drain ended. The scheduler
// step compares these with what `scontrol show node` says before it touches a node: we resume
// only a node whose open record's reason is still the node's reason now.
// Its own table in the results store's SQLite file, created when missing.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace mixnet::coord {

struct DrainRecord {
  std::int64_t id = 0;            // assigned by add()
  std::string scheduler;          // "slurm"
  std::string node;               // the scheduler's node name
  std::string host;               // the inventory host it stands for
  std::string reason;             // exactly as set ("mixnet: h3:ocs1 failed with 2 partners ...")
  std::string set_by;             // the user the scheduler recorded for the reason ("root")
  std::string set_at;             // the scheduler's time stamp for the reason, as it printed it
  std::string drained_run;        // the run that drained it
  std::int64_t drained_ns = 0;    // CLOCK_REALTIME when we drained it
  // Empty while the drain is ours and open; then "resumed" (we resumed it after a pass),
  // "reason_changed" (someone changed the reason: no longer ours to resume), "resumed_by_other"
  // (found in service again without us).
  std::string closed_how;
  std::string closed_run;
  std::int64_t closed_ns = 0;
  [[nodiscard]] bool open() const { return closed_how.empty(); }
};

class DrainRecords {
 public:
  // Creates the table when missing. `db` stays owned by the caller (ResultsStore::handle()).
  static Result<DrainRecords> open(sqlite3* db);

  // Records a new drain; fails (Errc::conflict) when the node already has an open record.
  Result<std::int64_t> add(const DrainRecord& record);
  // The node's open drain, if any.
  Result<std::optional<DrainRecord>> open_drain(const std::string& scheduler, const std::string& node);
  // Every open drain, oldest first.
  Result<std::vector<DrainRecord>> open_drains(const std::string& scheduler);
  // Closes the node's open drain (Errc::not_found when it has none).
  Result<void> close(const std::string& scheduler, const std::string& node, const std::string& how,
                     const std::string& run_id, std::int64_t at_ns);
  // Every record of the node (open or closed), newest first: the history shown to people.
  Result<std::vector<DrainRecord>> history(const std::string& scheduler, const std::string& node);

 private:
  explicit DrainRecords(sqlite3* db) : db_(db) {}
  Result<std::vector<DrainRecord>> select(const char* sql, const std::vector<std::string>& params);
  sqlite3* db_;
};

}  // namespace mixnet::coord
