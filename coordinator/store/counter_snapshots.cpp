#include "coordinator/store/counter_snapshots.hpp"

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mixnet::coord {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS counter_snapshots (
  run_id TEXT NOT NULL, mark TEXT NOT NULL, host TEXT NOT NULL,
  taken_ns INTEGER NOT NULL, boot_id TEXT NOT NULL, reply TEXT NOT NULL,
  PRIMARY KEY (run_id, mark, host));
CREATE INDEX IF NOT EXISTS counter_snapshots_by_mark ON counter_snapshots (mark, taken_ns);
)sql";

using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

Result<Statement> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return fail(Errc::io, fmt::format("counter_snapshots: prepare: {}", sqlite3_errmsg(db)));
  }
  return Statement(raw, &sqlite3_finalize);
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
}

Result<void> exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err != nullptr ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return fail(Errc::io, "counter_snapshots: " + message);
  }
  return {};
}

}  // namespace

Result<CounterSnapshotStore> CounterSnapshotStore::attach(sqlite3* db) {
  if (db == nullptr) return fail(Errc::internal, "counter_snapshots: no database connection");
  if (auto ok = exec(db, kSchema); !ok) return std::unexpected(ok.error());
  return CounterSnapshotStore(db);
}

Result<void> CounterSnapshotStore::save(const health::CounterSnapshot& snapshot) {
  if (auto ok = exec(db_, "BEGIN IMMEDIATE"); !ok) return std::unexpected(ok.error());
  const auto rollback = [this](Error e) -> Result<void> {
    (void)exec(db_, "ROLLBACK");  // the error being returned is the one worth reporting
    return std::unexpected(std::move(e));
  };
  auto stmt = prepare(db_, "INSERT OR REPLACE INTO counter_snapshots (run_id, mark, host, taken_ns, boot_id, reply) "
                           "VALUES (?, ?, ?, ?, ?, ?)");
  if (!stmt) return rollback(stmt.error());
  for (const auto& host : snapshot.hosts) {
    if (!host.reply) continue;
    sqlite3_stmt* s = stmt->get();
    sqlite3_reset(s);
    bind_text(s, 1, snapshot.run_id);
    bind_text(s, 2, snapshot.mark);
    bind_text(s, 3, host.host);
    sqlite3_bind_int64(s, 4, snapshot.taken_ns);
    bind_text(s, 5, host.reply->boot_id);
    bind_text(s, 6, nlohmann::json(*host.reply).dump());
    if (sqlite3_step(s) != SQLITE_DONE) {
      return rollback(Error{Errc::io, fmt::format("counter_snapshots: save {}: {}", host.host, sqlite3_errmsg(db_))});
    }
  }
  if (auto ok = exec(db_, "COMMIT"); !ok) return rollback(ok.error());
  return {};
}

Result<std::optional<health::CounterSnapshot>> CounterSnapshotStore::latest(const std::string& mark,
                                                                            const std::string& exclude_run_id) {
  auto newest = prepare(db_, "SELECT run_id, taken_ns FROM counter_snapshots WHERE mark = ? AND run_id != ? "
                             "ORDER BY taken_ns DESC, run_id DESC LIMIT 1");
  if (!newest) return std::unexpected(newest.error());
  bind_text(newest->get(), 1, mark);
  bind_text(newest->get(), 2, exclude_run_id);
  const int rc = sqlite3_step(newest->get());
  if (rc == SQLITE_DONE) return std::optional<health::CounterSnapshot>{};
  if (rc != SQLITE_ROW) return fail(Errc::io, fmt::format("counter_snapshots: {}", sqlite3_errmsg(db_)));
  health::CounterSnapshot snapshot;
  snapshot.run_id = column_text(newest->get(), 0);
  snapshot.taken_ns = sqlite3_column_int64(newest->get(), 1);
  snapshot.mark = mark;

  auto rows = prepare(db_, "SELECT host, reply FROM counter_snapshots WHERE run_id = ? AND mark = ? ORDER BY host");
  if (!rows) return std::unexpected(rows.error());
  bind_text(rows->get(), 1, snapshot.run_id);
  bind_text(rows->get(), 2, mark);
  int step = 0;
  while ((step = sqlite3_step(rows->get())) == SQLITE_ROW) {
    health::HostCounters host;
    host.host = column_text(rows->get(), 0);
    const std::string where = fmt::format("counter_snapshots run {} host {}", snapshot.run_id, host.host);
    auto j = nlohmann::json::parse(column_text(rows->get(), 1), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail(Errc::io, where + ": the stored reply is not JSON");
    auto reply = wire::parse_counters_reply(j);
    if (!reply) return std::unexpected(reply.error().context(where));
    host.reply = std::move(*reply);
    snapshot.hosts.push_back(std::move(host));
  }
  if (step != SQLITE_DONE) return fail(Errc::io, fmt::format("counter_snapshots: {}", sqlite3_errmsg(db_)));
  return std::optional<health::CounterSnapshot>(std::move(snapshot));
}

}  // namespace mixnet::coord
