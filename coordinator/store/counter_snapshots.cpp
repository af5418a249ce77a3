#include "coordinator/store/counter_snapshots.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "coordinator/store/sqlite_statement.hpp"

namespace mixnet::coord {

namespace {

constexpr const char* kCounterSnapshotsSchema = R"sql(
CREATE TABLE IF NOT EXISTS counter_snapshots (
  run_id TEXT NOT NULL, mark TEXT NOT NULL, host TEXT NOT NULL,
  taken_ns INTEGER NOT NULL, boot_id TEXT NOT NULL, reply TEXT NOT NULL,
  PRIMARY KEY (run_id, mark, host));
CREATE INDEX IF NOT EXISTS counter_snapshots_by_mark ON counter_snapshots (mark, taken_ns);
)sql";

// "counter_snapshots: <sql>: <sqlite's message>"
Error table_error(const Error& e) { return e.context("counter_snapshots"); }

}  // namespace

Result<CounterSnapshotStore> CounterSnapshotStore::attach(sqlite3* db) {
  if (db == nullptr) return fail(Errc::internal, "counter_snapshots: no database connection");
  if (auto ok = exec_sql(db, kCounterSnapshotsSchema); !ok) return std::unexpected(table_error(ok.error()));
  return CounterSnapshotStore(db);
}

Result<void> CounterSnapshotStore::save(const health::CounterSnapshot& snapshot) {
  auto transaction = SqliteTransaction::begin(db_);
  if (!transaction) return std::unexpected(table_error(transaction.error()));
  auto s = SqliteStatement::prepare(db_, "INSERT OR REPLACE INTO counter_snapshots (run_id, mark, host, taken_ns, boot_id, reply) "
                                         "VALUES (?, ?, ?, ?, ?, ?)");
  if (!s) return std::unexpected(table_error(s.error()));
  for (const auto& host : snapshot.hosts) {
    if (!host.reply) continue;
    s->reset();
    s->bind(1, snapshot.run_id).bind(2, snapshot.mark).bind(3, host.host).bind(4, snapshot.taken_ns).bind(5, host.reply->boot_id)
        .bind(6, nlohmann::json(*host.reply).dump());
    if (auto ok = s->run(); !ok) return std::unexpected(ok.error().context(fmt::format("counter_snapshots: save {}", host.host)));
  }
  if (auto ok = transaction->commit(); !ok) return std::unexpected(table_error(ok.error()));
  return {};
}

Result<std::optional<health::CounterSnapshot>> CounterSnapshotStore::latest(const std::string& mark,
                                                                            const std::string& exclude_run_id) {
  auto newest = SqliteStatement::prepare(db_, "SELECT run_id, taken_ns FROM counter_snapshots WHERE mark = ? AND run_id != ? "
                                              "ORDER BY taken_ns DESC, run_id DESC LIMIT 1");
  if (!newest) return std::unexpected(table_error(newest.error()));
  newest->bind(1, mark).bind(2, exclude_run_id);
  const int rc = newest->step();
  if (rc == SQLITE_DONE) return std::optional<health::CounterSnapshot>{};
  if (rc != SQLITE_ROW) return std::unexpected(table_error(newest->error()));
  health::CounterSnapshot snapshot;
  snapshot.run_id = newest->text(0);
  snapshot.taken_ns = newest->integer(1);
  snapshot.mark = mark;

  auto rows = SqliteStatement::prepare(db_, "SELECT host, reply FROM counter_snapshots WHERE run_id = ? AND mark = ? ORDER BY host");
  if (!rows) return std::unexpected(table_error(rows.error()));
  rows->bind(1, snapshot.run_id).bind(2, mark);
  int step = 0;
  while ((step = rows->step()) == SQLITE_ROW) {
    health::HostCounters host;
    host.host = rows->text(0);
    const std::string where = fmt::format("counter_snapshots run {} host {}", snapshot.run_id, host.host);
    auto j = nlohmann::json::parse(rows->text(1), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail(Errc::io, where + ": the stored reply is not JSON");
    auto reply = wire::parse_counters_reply(j);
    if (!reply) return std::unexpected(reply.error().context(where));
    host.reply = std::move(*reply);
    snapshot.hosts.push_back(std::move(host));
  }
  if (step != SQLITE_DONE) return std::unexpected(table_error(rows->error()));
  return std::optional<health::CounterSnapshot>(std::move(snapshot));
}

}  // namespace mixnet::coord
