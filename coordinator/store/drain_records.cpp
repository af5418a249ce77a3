#include "coordinator/store/drain_records.hpp"

#include <memory>

#include <fmt/format.h>

namespace mixnet::coord {

namespace {

// At most one open drain per node and scheduler: the partial unique index makes a second open
// record for the same node a constraint error rather than a silent duplicate.
constexpr const char* kSchema = R"sql(
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

using StmtPtr = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

Result<StmtPtr> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK)
    return fail(Errc::io, fmt::format("drain records: prepare: {}", sqlite3_errmsg(db)));
  return StmtPtr(stmt, &sqlite3_finalize);
}

void bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string text(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
}

DrainRecord record_from(sqlite3_stmt* s) {
  DrainRecord r;
  r.id = sqlite3_column_int64(s, 0);
  r.scheduler = text(s, 1);
  r.node = text(s, 2);
  r.host = text(s, 3);
  r.reason = text(s, 4);
  r.set_by = text(s, 5);
  r.set_at = text(s, 6);
  r.drained_run = text(s, 7);
  r.drained_ns = sqlite3_column_int64(s, 8);
  r.closed_how = text(s, 9);
  r.closed_run = text(s, 10);
  r.closed_ns = sqlite3_column_int64(s, 11);
  return r;
}

}  // namespace

Result<DrainRecords> DrainRecords::open(sqlite3* db) {
  if (db == nullptr) return fail(Errc::invalid_argument, "drain records: no database", "db");
  char* error = nullptr;
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    return fail(Errc::io, "drain records: create table: " + why);
  }
  return DrainRecords(db);
}

Result<std::int64_t> DrainRecords::add(const DrainRecord& r) {
  auto s = prepare(db_,
                   "INSERT INTO scheduler_drains (scheduler, node, host, reason, set_by, set_at, drained_run, drained_ns)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s) return std::unexpected(s.error());
  bind(s->get(), 1, r.scheduler);
  bind(s->get(), 2, r.node);
  bind(s->get(), 3, r.host);
  bind(s->get(), 4, r.reason);
  bind(s->get(), 5, r.set_by);
  bind(s->get(), 6, r.set_at);
  bind(s->get(), 7, r.drained_run);
  sqlite3_bind_int64(s->get(), 8, r.drained_ns);
  const int rc = sqlite3_step(s->get());
  if (rc == SQLITE_CONSTRAINT)
    return fail(Errc::conflict, fmt::format("drain records: node {} already has an open drain", r.node), "node");
  if (rc != SQLITE_DONE) return fail(Errc::io, fmt::format("drain records: add {}: {}", r.node, sqlite3_errmsg(db_)));
  return sqlite3_last_insert_rowid(db_);
}

Result<std::vector<DrainRecord>> DrainRecords::select(const char* sql, const std::vector<std::string>& params) {
  auto s = prepare(db_, sql);
  if (!s) return std::unexpected(s.error());
  for (std::size_t i = 0; i < params.size(); ++i) bind(s->get(), static_cast<int>(i + 1), params[i]);
  std::vector<DrainRecord> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(s->get())) == SQLITE_ROW) out.push_back(record_from(s->get()));
  if (rc != SQLITE_DONE) return fail(Errc::io, fmt::format("drain records: read: {}", sqlite3_errmsg(db_)));
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
  auto s = prepare(db_,
                   "UPDATE scheduler_drains SET closed_how = ?, closed_run = ?, closed_ns = ?"
                   " WHERE scheduler = ? AND node = ? AND closed_how = ''");
  if (!s) return std::unexpected(s.error());
  bind(s->get(), 1, how);
  bind(s->get(), 2, run_id);
  sqlite3_bind_int64(s->get(), 3, at_ns);
  bind(s->get(), 4, scheduler);
  bind(s->get(), 5, node);
  if (sqlite3_step(s->get()) != SQLITE_DONE)
    return fail(Errc::io, fmt::format("drain records: close {}: {}", node, sqlite3_errmsg(db_)));
  if (sqlite3_changes(db_) == 0) return fail(Errc::not_found, fmt::format("drain records: node {} has no open drain", node), "node");
  return {};
}

}  // namespace mixnet::coord
