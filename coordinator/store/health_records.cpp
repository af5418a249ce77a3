#include "coordinator/store/health_records.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "coordinator/store/store.hpp"

namespace mixnet::coord {
namespace {

using health::Observation;
using health::PartKind;
using health::RunObservations;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS health_observations (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs(id),
  kind TEXT NOT NULL, part TEXT NOT NULL, figure TEXT NOT NULL,
  value REAL, unit TEXT NOT NULL, source TEXT NOT NULL, why_missing TEXT NOT NULL, at_ns INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS health_observations_by_run ON health_observations (run_id);
CREATE INDEX IF NOT EXISTS health_observations_by_part ON health_observations (part, figure);
)sql";

// A prepared statement, finalized on scope exit.
using StmtPtr = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

PartKind kind_from(const std::string& word) {
  for (auto k : {PartKind::host, PartKind::port, PartKind::ocs_port, PartKind::circuit, PartKind::eps_pair})
    if (word == health::to_string(k)) return k;
  return PartKind::port;
}

std::string text_of(sqlite3_stmt* s, int col) {
  const auto* p = sqlite3_column_text(s, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, col)));
}

void bind_text(sqlite3_stmt* s, int i, const std::string& v) { sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }

// "WHERE ..." for a part filter; parameters ?2.. (?1 is the run).
std::string part_clause(const HealthPartFilter* f) {
  if (f == nullptr) return "";
  std::string sql;
  if (!f->part.empty()) sql += " AND part = ?2";
  else if (!f->host.empty()) sql += " AND (part = ?2 OR part LIKE ?3 ESCAPE '\\')";
  if (!f->figure.empty()) sql += " AND figure = ?4";
  return sql;
}

// LIKE pattern for "host:" with the wildcards in the name escaped.
std::string like_prefix(const std::string& host) {
  std::string out;
  for (char c : host) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + ":%";
}

void bind_filter(sqlite3_stmt* s, const HealthPartFilter* f) {
  if (f == nullptr) return;
  if (!f->part.empty()) bind_text(s, 2, f->part);
  else if (!f->host.empty()) {
    bind_text(s, 2, f->host);
    bind_text(s, 3, like_prefix(f->host));
  }
  if (!f->figure.empty()) bind_text(s, 4, f->figure);
}

}  // namespace

Result<HealthRecords> HealthRecords::open(ResultsStore& store) {
  char* err = nullptr;
  if (sqlite3_exec(store.handle(), kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err != nullptr ? err : sqlite3_errmsg(store.handle());
    sqlite3_free(err);
    return fail(Errc::io, fmt::format("results store {}: health table: {}", store.path(), why), "db");
  }
  return HealthRecords(store.handle(), store.path());
}

Result<void> HealthRecords::save(const std::string& run_id, const std::vector<Observation>& observations) {
  auto error = [&](const char* what) { return fail(Errc::io, fmt::format("results store {}: {}: {}", path_, what, sqlite3_errmsg(db_)), "db"); };
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return error("begin health observations");
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT INTO health_observations (run_id, kind, part, figure, value, unit, source, why_missing, at_ns) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &raw, nullptr) != SQLITE_OK) {
    auto e = error("prepare health observation");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  StmtPtr s(raw, &sqlite3_finalize);
  for (const auto& o : observations) {
    sqlite3_reset(s.get());
    bind_text(s.get(), 1, run_id);
    bind_text(s.get(), 2, health::to_string(o.kind));
    bind_text(s.get(), 3, o.part);
    bind_text(s.get(), 4, o.figure);
    if (o.value && std::isfinite(*o.value)) sqlite3_bind_double(s.get(), 5, *o.value);
    else sqlite3_bind_null(s.get(), 5);
    bind_text(s.get(), 6, o.unit);
    bind_text(s.get(), 7, o.source);
    bind_text(s.get(), 8, o.why_missing);
    sqlite3_bind_int64(s.get(), 9, o.at_ns);
    if (sqlite3_step(s.get()) != SQLITE_DONE) {
      auto e = error("insert health observation");
      s.reset();
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return e;
    }
  }
  s.reset();
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    auto e = error("commit health observations");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return e;
  }
  return {};
}

Result<std::vector<Observation>> HealthRecords::load(const std::string& run_id, const HealthPartFilter* filter) {
  const auto sql = fmt::format("SELECT kind, part, figure, value, unit, source, why_missing, at_ns FROM health_observations WHERE run_id = ?1{} ORDER BY n",
                               part_clause(filter));
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    return fail(Errc::io, fmt::format("results store {}: prepare load health observations: {}", path_, sqlite3_errmsg(db_)), "db");
  StmtPtr s(raw, &sqlite3_finalize);
  bind_text(s.get(), 1, run_id);
  bind_filter(s.get(), filter);
  std::vector<Observation> out;
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    Observation o;
    o.kind = kind_from(text_of(s.get(), 0));
    o.part = text_of(s.get(), 1);
    o.figure = text_of(s.get(), 2);
    if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL) o.value = sqlite3_column_double(s.get(), 3);
    o.unit = text_of(s.get(), 4);
    o.source = text_of(s.get(), 5);
    o.why_missing = text_of(s.get(), 6);
    o.at_ns = sqlite3_column_int64(s.get(), 7);
    out.push_back(std::move(o));
  }
  if (rc != SQLITE_DONE) return fail(Errc::io, fmt::format("results store {}: load health observations: {}", path_, sqlite3_errmsg(db_)), "db");
  return out;
}

Result<std::vector<Observation>> HealthRecords::load_run(const std::string& run_id) { return load(run_id, nullptr); }

Result<std::vector<RunObservations>> HealthRecords::passing_runs(int limit) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT id, started_ns FROM runs WHERE status = 'passed' AND EXISTS "
                              "(SELECT 1 FROM health_observations h WHERE h.run_id = runs.id) ORDER BY started_ns DESC, id DESC LIMIT ?1",
                         -1, &raw, nullptr) != SQLITE_OK)
    return fail(Errc::io, fmt::format("results store {}: prepare passing runs: {}", path_, sqlite3_errmsg(db_)), "db");
  StmtPtr s(raw, &sqlite3_finalize);
  sqlite3_bind_int64(s.get(), 1, limit);
  std::vector<RunObservations> out;
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(RunObservations{text_of(s.get(), 0), sqlite3_column_int64(s.get(), 1), {}});
  if (rc != SQLITE_DONE) return fail(Errc::io, fmt::format("results store {}: passing runs: {}", path_, sqlite3_errmsg(db_)), "db");
  s.reset();
  for (auto& r : out) {
    auto obs = load_run(r.run_id);
    if (!obs) return std::unexpected(obs.error());
    r.observations = std::move(*obs);
  }
  return out;
}

Result<std::vector<RunObservations>> HealthRecords::runs(const std::vector<std::string>& run_ids) {
  std::vector<RunObservations> out;
  for (const auto& id : run_ids) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT started_ns FROM runs WHERE id = ?1", -1, &raw, nullptr) != SQLITE_OK)
      return fail(Errc::io, fmt::format("results store {}: prepare run: {}", path_, sqlite3_errmsg(db_)), "db");
    StmtPtr s(raw, &sqlite3_finalize);
    bind_text(s.get(), 1, id);
    if (sqlite3_step(s.get()) != SQLITE_ROW) return fail(Errc::not_found, fmt::format("results store {}: no run '{}'", path_, id), "runs");
    RunObservations r{id, sqlite3_column_int64(s.get(), 0), {}};
    auto obs = load_run(id);
    if (!obs) return std::unexpected(obs.error());
    if (obs->empty()) return fail(Errc::not_found, fmt::format("results store {}: run '{}' recorded no health observations", path_, id), "runs");
    r.observations = std::move(*obs);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<RunObservations>> HealthRecords::history(const HealthPartFilter& filter, int nights) {
  // The newest runs that recorded any of these parts, then each run's matching observations.
  const auto where = part_clause(&filter);
  const auto sql = fmt::format("SELECT r.id, r.started_ns FROM runs r WHERE EXISTS (SELECT 1 FROM health_observations WHERE run_id = r.id{}) "
                               "ORDER BY r.started_ns DESC, r.id DESC LIMIT ?1",
                               where);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    return fail(Errc::io, fmt::format("results store {}: prepare health history: {}", path_, sqlite3_errmsg(db_)), "db");
  StmtPtr s(raw, &sqlite3_finalize);
  sqlite3_bind_int64(s.get(), 1, nights);
  bind_filter(s.get(), &filter);
  std::vector<RunObservations> out;
  int rc = 0;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(RunObservations{text_of(s.get(), 0), sqlite3_column_int64(s.get(), 1), {}});
  if (rc != SQLITE_DONE) return fail(Errc::io, fmt::format("results store {}: health history: {}", path_, sqlite3_errmsg(db_)), "db");
  s.reset();
  std::reverse(out.begin(), out.end());   // oldest first: a trend reads left to right
  for (auto& r : out) {
    auto obs = load(r.run_id, &filter);
    if (!obs) return std::unexpected(obs.error());
    r.observations = std::move(*obs);
  }
  return out;
}

}  // namespace mixnet::coord
