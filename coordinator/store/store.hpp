#pragma once
// The results store: SQLite in WAL mode (synchronous=FULL), one row per run, step and item
// verdict, each committed before the engine goes on (and so before it is shown). A run starts as
// "running"; a coordinator killed mid-run leaves everything it recorded, and readers show such a
// run as "incomplete" once its process is gone (same machine; see effective_status).
// Default path: /var/lib/mixnet/results.db, or $MIXNET_DB, or --db (docs/playbooks.md).
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "coordinator/engine/engine.hpp"

namespace mixnet::coord {

inline constexpr const char* kDefaultDbPath = "/var/lib/mixnet/results.db";
// --db, else $MIXNET_DB, else kDefaultDbPath.
std::string resolve_db_path(const std::string& flag_value);

struct RunRow {
  std::string id;
  std::string playbook;         // path
  std::string playbook_name;
  std::string inventory;        // path
  std::string out_dir;
  bool check_mode = false;
  nlohmann::json args = nlohmann::json::object();   // command line, tags, -e vars
  std::string status;           // running | passed | failed | incomplete (as stored)
  std::string message;
  std::int64_t pid = 0;
  std::string pid_start;
  std::string hostname;
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;
  nlohmann::json failed_hosts = nlohmann::json::array();
  // "incomplete" for a "running" row whose coordinator is gone (on this machine); else status.
  [[nodiscard]] std::string effective_status() const;
};

struct StepRow {
  std::int64_t seq = 0;
  std::string section;          // steps | always
  std::string name;
  std::string module;
  std::int64_t line = 0;
  std::string status;           // running, then ok | changed | partial | failed | ignored | skipped
  bool changed = false;
  std::string message;
  std::int64_t attempts = 0;
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;
  nlohmann::json args;
  nlohmann::json registered;
  nlohmann::json failed_hosts = nlohmann::json::array();
  std::int64_t items_total = 0;
  std::int64_t items_failed = 0;
};

struct ItemRow {
  std::int64_t step_seq = 0;
  std::int64_t iteration = 0;
  std::int64_t attempt = 0;
  std::string kind;
  std::string id;
  std::string status;
  std::string message;
  nlohmann::json data;
  nlohmann::json hosts = nlohmann::json::array();
  std::int64_t started_ns = 0;
  std::int64_t finished_ns = 0;
  bool final_attempt = true;    // computed on load: the last attempt of its step and loop item
};

struct RunDetail {
  RunRow run;
  std::vector<StepRow> steps;
  std::vector<ItemRow> items;   // in the order they were recorded
};

// A run without its items: what the report writers walk, reading one item at a time, so that
// writing the reports of a run of any length holds no step's items whole.
struct RunSteps {
  RunRow run;
  std::vector<StepRow> steps;   // their results' items lists not put back (registered_items.hpp)
};

// One loop item's attempt of a step: (iteration, attempt).
using AttemptKey = std::pair<std::int64_t, std::int64_t>;

// A stored item as the engine recorded it (for registered_item).
ItemResult item_result_of(const ItemRow& row);

class ResultsStore {
 public:
  // Creates the folder and the schema when missing. Errors name the path.
  static Result<std::unique_ptr<ResultsStore>> open(const std::string& path);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  Result<void> begin_run(const RunRow& run);
  Result<void> begin_step(const std::string& run_id, const StepRow& step);
  Result<void> add_item(const std::string& run_id, const ItemRow& item);
  // Several items in one transaction (one sync to disk): all of them are kept, or none.
  Result<void> add_items(const std::string& run_id, const std::vector<ItemRow>& items);
  Result<void> finish_step(const std::string& run_id, const StepRow& step);
  Result<void> finish_run(const std::string& run_id, const std::string& status, const std::string& message,
                          std::int64_t finished_ns, const nlohmann::json& failed_hosts);

  Result<std::vector<RunRow>> list_runs(int limit);
  // All of a run, the steps' results with their items lists put back. "latest" is the newest run.
  Result<RunDetail> load_run(const std::string& run_id);
  Result<RunSteps> load_run_steps(const std::string& run_id);   // "latest" too; no items
  // The step's items in the order recorded, one at a time (`only`: one loop item's attempt);
  // final_attempt is left as true: last_attempts() says which are.
  Result<void> for_each_item(const std::string& run_id, std::int64_t seq, const std::optional<AttemptKey>& only,
                             const std::function<void(ItemRow&&)>& each);
  // The step's last attempt per loop item that recorded items.
  Result<std::map<std::int64_t, std::int64_t>> last_attempts(const std::string& run_id, std::int64_t seq);
  Result<std::string> journal_mode();
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] sqlite3* handle() { return db_; }

 private:
  ResultsStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<void> exec(const char* sql);
  sqlite3* db_;
  std::string path_;
};

// Feeds the engine's events into the store. Each call commits before returning; a write error
// is kept (first_error) and later events are still attempted.
class StoreObserver final : public RunObserver {
 public:
  StoreObserver(ResultsStore& store, RunRow run_template) : store_(store), run_(std::move(run_template)) {}
  void run_started(const RunHeader& run) override;
  void step_started(const Step& step, std::int64_t started_ns) override;
  void item(const Step& step, int iteration, int attempt, const ItemResult& item) override;
  void items(const Step& step, int iteration, int attempt, std::span<const ItemResult> batch) override;
  void step_finished(const Step& step, const StepOutcome& outcome) override;
  void run_finished(const RunOutcome& outcome) override;
  [[nodiscard]] const std::optional<Error>& first_error() const { return error_; }

 private:
  void keep(const Result<void>& r);
  ResultsStore& store_;
  RunRow run_;
  std::optional<Error> error_;
};

}  // namespace mixnet::coord
