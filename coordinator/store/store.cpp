#include "coordinator/store/store.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "coordinator/engine/registered_items.hpp"
#include "coordinator/store/process_alive.hpp"
#include "coordinator/store/sqlite_statement.hpp"

namespace mixnet::coord {
namespace {

constexpr int kBusyTimeoutMs = 10'000;   // another coordinator writing: wait, bounded

constexpr const char* kStoreSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  playbook TEXT NOT NULL, playbook_name TEXT NOT NULL, inventory TEXT NOT NULL, out_dir TEXT NOT NULL,
  check_mode INTEGER NOT NULL, args TEXT NOT NULL,
  status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL, pid_start TEXT NOT NULL, hostname TEXT NOT NULL,
  started_ns INTEGER NOT NULL, finished_ns INTEGER NOT NULL DEFAULT 0,
  failed_hosts TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS steps (
  run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,
  section TEXT NOT NULL, name TEXT NOT NULL, module TEXT NOT NULL, line INTEGER NOT NULL,
  status TEXT NOT NULL, changed INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0, started_ns INTEGER NOT NULL, finished_ns INTEGER NOT NULL DEFAULT 0,
  args TEXT NOT NULL DEFAULT 'null', registered TEXT NOT NULL DEFAULT 'null', failed_hosts TEXT NOT NULL DEFAULT '[]',
  items_total INTEGER NOT NULL DEFAULT 0, items_failed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS items (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs(id), step_seq INTEGER NOT NULL, iteration INTEGER NOT NULL, attempt INTEGER NOT NULL,
  kind TEXT NOT NULL, item_id TEXT NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
  data TEXT NOT NULL, hosts TEXT NOT NULL, started_ns INTEGER NOT NULL, finished_ns INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS items_by_step ON items (run_id, step_seq);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_ns);
PRAGMA user_version = 1;
)sql";

// A JSON column; text that does not parse reads as null.
nlohmann::json json_column(const SqliteStatement& s, int col) {
  auto v = nlohmann::json::parse(s.text(col), nullptr, false);
  return v.is_discarded() ? nlohmann::json() : v;
}

constexpr const char* kRunColumns =
    "id, playbook, playbook_name, inventory, out_dir, check_mode, args, status, message, pid, pid_start, hostname, started_ns, finished_ns, failed_hosts";

RunRow run_from(const SqliteStatement& s) {
  RunRow r;
  r.id = s.text(0);
  r.playbook = s.text(1);
  r.playbook_name = s.text(2);
  r.inventory = s.text(3);
  r.out_dir = s.text(4);
  r.check_mode = s.integer(5) != 0;
  r.args = json_column(s, 6);
  r.status = s.text(7);
  r.message = s.text(8);
  r.pid = s.integer(9);
  r.pid_start = s.text(10);
  r.hostname = s.text(11);
  r.started_ns = s.integer(12);
  r.finished_ns = s.integer(13);
  r.failed_hosts = json_column(s, 14);
  return r;
}

}  // namespace

std::string resolve_db_path(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("MIXNET_DB"); env != nullptr && *env != '\0') return env;
  return kDefaultDbPath;
}

std::string RunRow::effective_status() const {
  if (status != "running") return status;
  if (hostname == this_hostname() && !process_alive(static_cast<pid_t>(pid), pid_start)) return "incomplete";
  return status;
}

Result<std::unique_ptr<ResultsStore>> ResultsStore::open(const std::string& path) {
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Errc::io, fmt::format("results store {}: create {}: {}", path, dir.string(), ec.message()), "db");
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return fail(Errc::io, fmt::format("results store {}: {}", path, why), "db");
  }
  std::unique_ptr<ResultsStore> store(new ResultsStore(db, path));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL: readers (results list, a second coordinator) never block the writer; FULL: a committed
  // row survives a power cut, not only a crash.
  if (auto ok = store->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"); !ok) return std::unexpected(ok.error());
  if (auto ok = store->exec(kStoreSchema); !ok) return std::unexpected(ok.error());
  auto mode = store->journal_mode();
  if (!mode) return std::unexpected(mode.error());
  if (*mode != "wal") return fail(Errc::io, fmt::format("results store {}: journal mode is '{}', WAL needed (is it on a network file system?)", path, *mode), "db");
  return store;
}

ResultsStore::~ResultsStore() { sqlite3_close(db_); }

Result<void> ResultsStore::exec(const char* sql) {
  if (auto ok = exec_sql(db_, sql); !ok) return std::unexpected(ok.error().context(fmt::format("results store {}", path_)));
  return {};
}

Result<std::string> ResultsStore::journal_mode() {
  auto s = SqliteStatement::prepare(db_, "PRAGMA journal_mode");
  if (!s) return std::unexpected(s.error().context(fmt::format("results store {}", path_)));
  if (s->step() != SQLITE_ROW) return std::unexpected(s->error().context(fmt::format("results store {}", path_)));
  return s->text(0);
}

namespace {

// One write: prepared, bound, stepped to the end. Errors: "results store: WHAT: <sql>: <why>" (the
// store observer names the store when it reports them).
template <class Bind>
Result<void> write_row(sqlite3* db, const char* what, std::string_view sql, Bind&& bind) {
  auto s = SqliteStatement::prepare(db, sql);
  if (!s) return std::unexpected(s.error().context(fmt::format("results store: {}", what)));
  std::forward<Bind>(bind)(*s);
  if (auto ok = s->run(); !ok) return std::unexpected(ok.error().context(fmt::format("results store: {}", what)));
  return {};
}

}  // namespace

Result<void> ResultsStore::begin_run(const RunRow& run) {
  return write_row(db_, "insert run",
                   "INSERT INTO runs (id, playbook, playbook_name, inventory, out_dir, check_mode, args, status, message, pid, pid_start, hostname, started_ns) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'running', '', ?8, ?9, ?10, ?11)",
                   [&](SqliteStatement& s) {
                     s.bind(1, run.id).bind(2, run.playbook).bind(3, run.playbook_name).bind(4, run.inventory).bind(5, run.out_dir)
                         .bind(6, std::int64_t{run.check_mode ? 1 : 0}).bind(7, run.args.dump()).bind(8, run.pid).bind(9, run.pid_start)
                         .bind(10, run.hostname).bind(11, run.started_ns);
                   });
}

Result<void> ResultsStore::begin_step(const std::string& run_id, const StepRow& step) {
  return write_row(db_, "insert step",
                   "INSERT OR REPLACE INTO steps (run_id, seq, section, name, module, line, status, started_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7)",
                   [&](SqliteStatement& s) {
                     s.bind(1, run_id).bind(2, step.seq).bind(3, step.section).bind(4, step.name).bind(5, step.module).bind(6, step.line)
                         .bind(7, step.started_ns);
                   });
}

namespace {

constexpr const char* kInsertItem =
    "INSERT INTO items (run_id, step_seq, iteration, attempt, kind, item_id, status, message, data, hosts, started_ns, finished_ns) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

void bind_item(SqliteStatement& s, const std::string& run_id, const ItemRow& item) {
  s.bind(1, run_id).bind(2, item.step_seq).bind(3, item.iteration).bind(4, item.attempt).bind(5, item.kind).bind(6, item.id)
      .bind(7, item.status).bind(8, item.message).bind(9, item.data.dump()).bind(10, item.hosts.dump())
      .bind(11, item.started_ns).bind(12, item.finished_ns);
}

}  // namespace

Result<void> ResultsStore::add_item(const std::string& run_id, const ItemRow& item) {
  return write_row(db_, "insert item", kInsertItem, [&](SqliteStatement& s) { bind_item(s, run_id, item); });
}

Result<void> ResultsStore::add_items(const std::string& run_id, const std::vector<ItemRow>& items) {
  if (items.empty()) return {};
  auto transaction = SqliteTransaction::begin(db_);
  if (!transaction) return std::unexpected(transaction.error().context("results store: insert items"));
  auto s = SqliteStatement::prepare(db_, kInsertItem);
  if (!s) return std::unexpected(s.error().context("results store: insert items"));
  for (const auto& item : items) {
    s->reset();
    bind_item(*s, run_id, item);
    if (auto ok = s->run(); !ok) return std::unexpected(ok.error().context("results store: insert items"));
  }
  if (auto ok = transaction->commit(); !ok) return std::unexpected(ok.error().context("results store: insert items"));
  return {};
}

Result<void> ResultsStore::finish_step(const std::string& run_id, const StepRow& step) {
  return write_row(db_, "update step",
                   "UPDATE steps SET status = ?3, changed = ?4, message = ?5, attempts = ?6, finished_ns = ?7, args = ?8, registered = ?9, "
                   "failed_hosts = ?10, items_total = ?11, items_failed = ?12 WHERE run_id = ?1 AND seq = ?2",
                   [&](SqliteStatement& s) {
                     s.bind(1, run_id).bind(2, step.seq).bind(3, step.status).bind(4, std::int64_t{step.changed ? 1 : 0}).bind(5, step.message)
                         .bind(6, step.attempts).bind(7, step.finished_ns).bind(8, step.args.dump()).bind(9, step.registered.dump())
                         .bind(10, step.failed_hosts.dump()).bind(11, step.items_total).bind(12, step.items_failed);
                   });
}

Result<void> ResultsStore::finish_run(const std::string& run_id, const std::string& status, const std::string& message,
                                      std::int64_t finished_ns, const nlohmann::json& failed_hosts) {
  return write_row(db_, "update run", "UPDATE runs SET status = ?2, message = ?3, finished_ns = ?4, failed_hosts = ?5 WHERE id = ?1",
                   [&](SqliteStatement& s) { s.bind(1, run_id).bind(2, status).bind(3, message).bind(4, finished_ns).bind(5, failed_hosts.dump()); });
}

Result<std::vector<RunRow>> ResultsStore::list_runs(int limit) {
  const auto where = fmt::format("results store {}", path_);
  auto s = SqliteStatement::prepare(db_, fmt::format("SELECT {} FROM runs ORDER BY started_ns DESC, id DESC LIMIT ?1", kRunColumns));
  if (!s) return std::unexpected(s.error().context(where));
  s->bind(1, limit);
  std::vector<RunRow> out;
  int rc = 0;
  while ((rc = s->step()) == SQLITE_ROW) out.push_back(run_from(*s));
  if (rc != SQLITE_DONE) return std::unexpected(s->error().context(where));
  return out;
}

Result<RunSteps> ResultsStore::load_run_steps(const std::string& run_id) {
  const auto where = fmt::format("results store {}", path_);
  RunSteps out;
  {
    auto s = SqliteStatement::prepare(db_, run_id == "latest" ? fmt::format("SELECT {} FROM runs ORDER BY started_ns DESC, id DESC LIMIT 1", kRunColumns)
                                                              : fmt::format("SELECT {} FROM runs WHERE id = ?1", kRunColumns));
    if (!s) return std::unexpected(s.error().context(where));
    if (run_id != "latest") s->bind(1, run_id);
    if (s->step() != SQLITE_ROW) return fail(Errc::not_found, fmt::format("no run '{}' in {}", run_id, path_), "run");
    out.run = run_from(*s);
  }
  auto s = SqliteStatement::prepare(db_, "SELECT seq, section, name, module, line, status, changed, message, attempts, started_ns, finished_ns, args, "
                                         "registered, failed_hosts, items_total, items_failed FROM steps WHERE run_id = ?1 ORDER BY seq");
  if (!s) return std::unexpected(s.error().context(where));
  s->bind(1, out.run.id);
  int rc = 0;
  while ((rc = s->step()) == SQLITE_ROW) {
    StepRow r;
    r.seq = s->integer(0);
    r.section = s->text(1);
    r.name = s->text(2);
    r.module = s->text(3);
    r.line = s->integer(4);
    r.status = s->text(5);
    r.changed = s->integer(6) != 0;
    r.message = s->text(7);
    r.attempts = s->integer(8);
    r.started_ns = s->integer(9);
    r.finished_ns = s->integer(10);
    r.args = json_column(*s, 11);
    r.registered = json_column(*s, 12);
    r.failed_hosts = json_column(*s, 13);
    r.items_total = s->integer(14);
    r.items_failed = s->integer(15);
    out.steps.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return std::unexpected(s->error().context(where));
  return out;
}

Result<void> ResultsStore::for_each_item(const std::string& run_id, std::int64_t seq, const std::optional<AttemptKey>& only,
                                         const std::function<void(ItemRow&&)>& each) {
  const auto where = fmt::format("results store {}", path_);
  auto s = SqliteStatement::prepare(db_, only ? "SELECT iteration, attempt, kind, item_id, status, message, data, hosts, started_ns, finished_ns "
                                                "FROM items WHERE run_id = ?1 AND step_seq = ?2 AND iteration = ?3 AND attempt = ?4 ORDER BY n"
                                              : "SELECT iteration, attempt, kind, item_id, status, message, data, hosts, started_ns, finished_ns "
                                                "FROM items WHERE run_id = ?1 AND step_seq = ?2 ORDER BY n");
  if (!s) return std::unexpected(s.error().context(where));
  s->bind(1, run_id).bind(2, seq);
  if (only) s->bind(3, only->first).bind(4, only->second);
  int rc = 0;
  while ((rc = s->step()) == SQLITE_ROW) {
    ItemRow r;
    r.step_seq = seq;
    r.iteration = s->integer(0);
    r.attempt = s->integer(1);
    r.kind = s->text(2);
    r.id = s->text(3);
    r.status = s->text(4);
    r.message = s->text(5);
    r.data = json_column(*s, 6);
    r.hosts = json_column(*s, 7);
    r.started_ns = s->integer(8);
    r.finished_ns = s->integer(9);
    each(std::move(r));
  }
  if (rc != SQLITE_DONE) return std::unexpected(s->error().context(where));
  return {};
}

Result<std::map<std::int64_t, std::int64_t>> ResultsStore::last_attempts(const std::string& run_id, std::int64_t seq) {
  const auto where = fmt::format("results store {}", path_);
  auto s = SqliteStatement::prepare(db_, "SELECT iteration, MAX(attempt) FROM items WHERE run_id = ?1 AND step_seq = ?2 GROUP BY iteration");
  if (!s) return std::unexpected(s.error().context(where));
  s->bind(1, run_id).bind(2, seq);
  std::map<std::int64_t, std::int64_t> out;
  int rc = 0;
  while ((rc = s->step()) == SQLITE_ROW) out[s->integer(0)] = s->integer(1);
  if (rc != SQLITE_DONE) return std::unexpected(s->error().context(where));
  return out;
}

ItemResult item_result_of(const ItemRow& row) {
  ItemResult r;
  r.kind = row.kind;
  r.id = row.id;
  r.status = row.status;
  r.message = row.message;
  r.data = row.data;
  if (row.hosts.is_array()) r.hosts = row.hosts.get<std::vector<std::string>>();
  r.started_ns = row.started_ns;
  r.finished_ns = row.finished_ns;
  return r;
}

Result<RunDetail> ResultsStore::load_run(const std::string& run_id) {
  auto steps = load_run_steps(run_id);
  if (!steps) return std::unexpected(steps.error());
  RunDetail detail;
  detail.run = std::move(steps->run);
  for (auto& step : steps->steps) {
    auto last = last_attempts(detail.run.id, step.seq);
    if (!last) return std::unexpected(last.error());
    const auto first = detail.items.size();
    auto read = for_each_item(detail.run.id, step.seq, std::nullopt, [&](ItemRow&& row) {
      row.final_attempt = row.attempt == (*last)[row.iteration];
      detail.items.push_back(std::move(row));
    });
    if (!read) return std::unexpected(read.error());
    // The engine leaves the result's items lists to the items table (registered_items.hpp).
    put_back_items(step.registered, [&](const AttemptKeys& keys) {
      auto entries = nlohmann::json::array();
      for (const auto& key : keys) {
        for (std::size_t k = first; k < detail.items.size(); ++k) {
          const auto& i = detail.items[k];
          if (i.iteration == key.first && i.attempt == key.second) entries.push_back(registered_item(item_result_of(i)));
        }
      }
      return entries;
    });
    detail.steps.push_back(std::move(step));
  }
  return detail;
}

void StoreObserver::keep(const Result<void>& r) {
  if (!r && !error_) error_ = r.error();
}

void StoreObserver::run_started(const RunHeader& run) {
  run_.id = run.run_id;
  run_.started_ns = run.started_ns;
  run_.check_mode = run.check_mode;
  if (run.playbook != nullptr) {
    if (run_.playbook.empty()) run_.playbook = run.playbook->path;
    run_.playbook_name = run.playbook->name;
  }
  if (run_.pid == 0) {
    run_.pid = getpid();
    run_.pid_start = process_start_token(getpid());
  }
  if (run_.hostname.empty()) run_.hostname = this_hostname();
  keep(store_.begin_run(run_));
}

void StoreObserver::step_started(const Step& step, std::int64_t started_ns) {
  StepRow row;
  row.seq = static_cast<std::int64_t>(step.seq);
  row.section = step.in_always ? "always" : "steps";
  row.name = step.name;
  row.module = step.module;
  row.line = step.line;
  row.started_ns = started_ns;
  keep(store_.begin_step(run_.id, row));
}

namespace {

ItemRow item_row(const Step& step, int iteration, int attempt, const ItemResult& item) {
  ItemRow row;
  row.step_seq = static_cast<std::int64_t>(step.seq);
  row.iteration = iteration;
  row.attempt = attempt;
  row.kind = item.kind;
  row.id = item.id;
  row.status = item.status;
  row.message = item.message;
  row.data = item.data;
  row.hosts = item.hosts;
  row.started_ns = item.started_ns;
  row.finished_ns = item.finished_ns;
  return row;
}

}  // namespace

void StoreObserver::item(const Step& step, int iteration, int attempt, const ItemResult& item) {
  keep(store_.add_item(run_.id, item_row(step, iteration, attempt, item)));
}

void StoreObserver::items(const Step& step, int iteration, int attempt, std::span<const ItemResult> batch) {
  std::vector<ItemRow> rows;
  rows.reserve(batch.size());
  for (const auto& item : batch) rows.push_back(item_row(step, iteration, attempt, item));
  keep(store_.add_items(run_.id, rows));
}

void StoreObserver::step_finished(const Step& step, const StepOutcome& outcome) {
  StepRow row;
  row.seq = static_cast<std::int64_t>(step.seq);
  row.status = std::string(to_string(outcome.status));
  row.changed = outcome.changed;
  row.message = outcome.message;
  row.attempts = outcome.attempts;
  row.finished_ns = outcome.finished_ns;
  row.args = outcome.args;
  row.registered = outcome.registered;
  row.failed_hosts = outcome.failed_hosts;
  row.items_total = outcome.items_total;
  row.items_failed = outcome.items_failed;
  keep(store_.finish_step(run_.id, row));
}

void StoreObserver::run_finished(const RunOutcome& outcome) {
  auto message = outcome.message;
  if (error_) message += (message.empty() ? "" : "; ") + std::string("results store: ") + error_->message;
  keep(store_.finish_run(run_.id, error_ ? "failed" : outcome.status, message, outcome.finished_ns, outcome.failed_hosts));
}

}  // namespace mixnet::coord
