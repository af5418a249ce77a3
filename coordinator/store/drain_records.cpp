#include "coordinator/store/drain_records.hpp"

#include <fmt/format.h>

#include "coordinator/store/sqlite_statement.hpp"

namespace mixnet::coord {

namespace {

// At most one open drain per node and scheduler: the partial unique index makes a second open
// record for the same node a constraint error rather than a silent duplicate.
constexpr const char* kDrainRecordsSchema = R"sql(
CREATE TABLE IF NOT EXISTS scheduler_drains (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scheduler TEXT NOT NULL, node TEXT NOT NULL, host TEXT NOT NULL,
  reason TEXT NOT NULL, set_by TEXT NOT NULL, set_at TEXT NOT NULL,
  drained_run TEXT NOT NULL, drained_ns INTEGER NOT NULL,
  closed_how TEXT NOT NULL DEFAULT '', closed_run TEXT NOT NULL DEFAULT '', closed_ns INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX IF NOT EXISTS scheduler_drains_open ON scheduler_drains (scheduler, node) WHERE closed_how = '';
)sql";

constexpr const char* kColumns =
    "id, scheduler, node, host, reason, set_by, set_at, drained_run, drained_ns, closed_how, closed_run, closed_ns";

DrainRecord record_from(const SqliteStatement& s) {
  DrainRecord r;
  r.id = s.integer(0);
  r.scheduler = s.text(1);
  r.node = s.text(2);
  r.host = s.text(3);
  r.reason = s.text(4);
  r.set_by = s.text(5);
  r.set_at = s.text(6);
  r.drained_run = s.text(7);
  r.drained_ns = s.integer(8);
  r.closed_how = s.text(9);
  r.closed_run = s.text(10);
  r.closed_ns = s.integer(11);
  return r;
}

}  // namespace

Result<DrainRecords> DrainRecords::open(sqlite3* db) {
  if (db == nullptr) return fail(Errc::invalid_argument, "drain records: no database", "db");
  if (auto ok = exec_sql(db, kDrainRecordsSchema); !ok) return std::unexpected(ok.error().context("drain records: create table"));
  return DrainRecords(db);
}

Result<std::int64_t> DrainRecords::add(const DrainRecord& r) {
  auto s = SqliteStatement::prepare(db_,
                                    "INSERT INTO scheduler_drains (scheduler, node, host, reason, set_by, set_at, drained_run, drained_ns)"
                                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s) return std::unexpected(s.error().context("drain records"));
  s->bind(1, r.scheduler).bind(2, r.node).bind(3, r.host).bind(4, r.reason).bind(5, r.set_by).bind(6, r.set_at).bind(7, r.drained_run)
      .bind(8, r.drained_ns);
  const int rc = s->step();
  if (rc == SQLITE_CONSTRAINT)
    return fail(Errc::conflict, fmt::format("drain records: node {} already has an open drain", r.node), "node");
  if (rc != SQLITE_DONE) return std::unexpected(s->error().context(fmt::format("drain records: add {}", r.node)));
  return sqlite3_last_insert_rowid(db_);
}

Result<std::vector<DrainRecord>> DrainRecords::select(const char* sql, const std::vector<std::string>& params) {
  auto s = SqliteStatement::prepare(db_, sql);
  if (!s) return std::unexpected(s.error().context("drain records"));
  for (std::size_t i = 0; i < params.size(); ++i) s->bind(static_cast<int>(i + 1), params[i]);
  std::vector<DrainRecord> out;
  int rc = SQLITE_ROW;
  while ((rc = s->step()) == SQLITE_ROW) out.push_back(record_from(*s));
  if (rc != SQLITE_DONE) return std::unexpected(s->error().context("drain records: read"));
  return out;
}

Result<std::optional<DrainRecord>> DrainRecords::open_drain(const std::string& scheduler, const std::string& node) {
  const auto sql = fmt::format("SELECT {} FROM scheduler_drains WHERE scheduler = ? AND node = ? AND closed_how = ''", kColumns);
  auto rows = select(sql.c_str(), {scheduler, node});
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<DrainRecord>();
  return std::optional<DrainRecord>(std::move(rows->front()));
}

Result<std::vector<DrainRecord>> DrainRecords::open_drains(const std::string& scheduler) {
  const auto sql = fmt::format("SELECT {} FROM scheduler_drains WHERE scheduler = ? AND closed_how = '' ORDER BY id", kColumns);
  return select(sql.c_str(), {scheduler});
}

Result<std::vector<DrainRecord>> DrainRecords::history(const std::string& scheduler, const std::string& node) {
  const auto sql = fmt::format("SELECT {} FROM scheduler_drains WHERE scheduler = ? AND node = ? ORDER BY id DESC", kColumns);
  return select(sql.c_str(), {scheduler, node});
}

Result<void> DrainRecords::close(const std::string& scheduler, const std::string& node, const std::string& how,
                                 const std::string& run_id, std::int64_t at_ns) {
  if (how.empty()) return fail(Errc::invalid_argument, "drain records: closing needs a how", "how");
  auto s = SqliteStatement::prepare(db_,
                                    "UPDATE scheduler_drains SET closed_how = ?, closed_run = ?, closed_ns = ?"
                                    " WHERE scheduler = ? AND node = ? AND closed_how = ''");
  if (!s) return std::unexpected(s.error().context("drain records"));
  s->bind(1, how).bind(2, run_id).bind(3, at_ns).bind(4, scheduler).bind(5, node);
  if (auto ok = s->run(); !ok) return std::unexpected(ok.error().context(fmt::format("drain records: close {}", node)));
  if (sqlite3_changes(db_) == 0) return fail(Errc::not_found, fmt::format("drain records: node {} has no open drain", node), "node");
  return {};
}

}  // namespace mixnet::coord
