#include "coordinator/store/health_records.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "coordinator/store/sqlite_statement.hpp"
#include "coordinator/store/store.hpp"

namespace mixnet::coord {
namespace {

using health::Observation;
using health::PartKind;
using health::RunObservations;

constexpr const char* kHealthRecordsSchema = R"sql(
CREATE TABLE IF NOT EXISTS health_observations (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs(id),
  kind TEXT NOT NULL, part TEXT NOT NULL, figure TEXT NOT NULL,
  value REAL, unit TEXT NOT NULL, source TEXT NOT NULL, why_missing TEXT NOT NULL, at_ns INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS health_observations_by_run ON health_observations (run_id);
CREATE INDEX IF NOT EXISTS health_observations_by_part ON health_observations (part, figure);
)sql";

PartKind kind_from(const std::string& word) {
  for (auto k : {PartKind::host, PartKind::port, PartKind::ocs_port, PartKind::circuit, PartKind::eps_pair})
    if (word == health::to_string(k)) return k;
  return PartKind::port;
}

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

void bind_filter(SqliteStatement& s, const HealthPartFilter* f) {
  if (f == nullptr) return;
  if (!f->part.empty()) s.bind(2, f->part);
  else if (!f->host.empty()) s.bind(2, f->host).bind(3, like_prefix(f->host));
  if (!f->figure.empty()) s.bind(4, f->figure);
}

// "results store PATH: WHAT: <sql>: <sqlite's message>", blaming the store ("db").
Error store_error(const std::string& path, const Error& e, std::string_view what) {
  auto out = e.context(fmt::format("results store {}: {}", path, what));
  out.field = "db";
  return out;
}

}  // namespace

Result<HealthRecords> HealthRecords::open(ResultsStore& store) {
  if (auto ok = exec_sql(store.handle(), kHealthRecordsSchema); !ok) return std::unexpected(store_error(store.path(), ok.error(), "health table"));
  return HealthRecords(store.handle(), store.path());
}

Result<void> HealthRecords::save(const std::string& run_id, const std::vector<Observation>& observations) {
  auto transaction = SqliteTransaction::begin(db_);
  if (!transaction) return std::unexpected(store_error(path_, transaction.error(), "begin health observations"));
  auto s = SqliteStatement::prepare(db_, "INSERT INTO health_observations (run_id, kind, part, figure, value, unit, source, why_missing, at_ns) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s) return std::unexpected(store_error(path_, s.error(), "insert health observation"));
  for (const auto& o : observations) {
    s->reset();
    s->bind(1, run_id).bind(2, health::to_string(o.kind)).bind(3, o.part).bind(4, o.figure);
    if (o.value && std::isfinite(*o.value)) s->bind(5, *o.value);
    else s->bind_null(5);
    s->bind(6, o.unit).bind(7, o.source).bind(8, o.why_missing).bind(9, o.at_ns);
    if (auto ok = s->run(); !ok) return std::unexpected(store_error(path_, ok.error(), "insert health observation"));
  }
  if (auto ok = transaction->commit(); !ok) return std::unexpected(store_error(path_, ok.error(), "commit health observations"));
  return {};
}

Result<std::vector<Observation>> HealthRecords::load(const std::string& run_id, const HealthPartFilter* filter) {
  auto s = SqliteStatement::prepare(
      db_, fmt::format("SELECT kind, part, figure, value, unit, source, why_missing, at_ns FROM health_observations WHERE run_id = ?1{} ORDER BY n",
                       part_clause(filter)));
  if (!s) return std::unexpected(store_error(path_, s.error(), "load health observations"));
  s->bind(1, run_id);
  bind_filter(*s, filter);
  std::vector<Observation> out;
  int rc = 0;
  while ((rc = s->step()) == SQLITE_ROW) {
    Observation o;
    o.kind = kind_from(s->text(0));
    o.part = s->text(1);
    o.figure = s->text(2);
    if (!s->is_null(3)) o.value = s->real(3);
    o.unit = s->text(4);
    o.source = s->text(5);
    o.why_missing = s->text(6);
    o.at_ns = s->integer(7);
    out.push_back(std::move(o));
  }
  if (rc != SQLITE_DONE) return std::unexpected(store_error(path_, s->error(), "load health observations"));
  return out;
}

Result<std::vector<Observation>> HealthRecords::load_run(const std::string& run_id) { return load(run_id, nullptr); }

Result<std::vector<RunObservations>> HealthRecords::passing_runs(int limit) {
  std::vector<RunObservations> out;
  {
    auto s = SqliteStatement::prepare(db_, "SELECT id, started_ns FROM runs WHERE status = 'passed' AND EXISTS "
                                           "(SELECT 1 FROM health_observations h WHERE h.run_id = runs.id) ORDER BY started_ns DESC, id DESC LIMIT ?1");
    if (!s) return std::unexpected(store_error(path_, s.error(), "passing runs"));
    s->bind(1, limit);
    int rc = 0;
    while ((rc = s->step()) == SQLITE_ROW) out.push_back(RunObservations{s->text(0), s->integer(1), {}});
    if (rc != SQLITE_DONE) return std::unexpected(store_error(path_, s->error(), "passing runs"));
  }
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
    auto s = SqliteStatement::prepare(db_, "SELECT started_ns FROM runs WHERE id = ?1");
    if (!s) return std::unexpected(store_error(path_, s.error(), "run"));
    s->bind(1, id);
    if (s->step() != SQLITE_ROW) return fail(Errc::not_found, fmt::format("results store {}: no run '{}'", path_, id), "runs");
    RunObservations r{id, s->integer(0), {}};
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
  std::vector<RunObservations> out;
  {
    auto s = SqliteStatement::prepare(
        db_, fmt::format("SELECT r.id, r.started_ns FROM runs r WHERE EXISTS (SELECT 1 FROM health_observations WHERE run_id = r.id{}) "
                         "ORDER BY r.started_ns DESC, r.id DESC LIMIT ?1",
                         part_clause(&filter)));
    if (!s) return std::unexpected(store_error(path_, s.error(), "health history"));
    s->bind(1, nights);
    bind_filter(*s, &filter);
    int rc = 0;
    while ((rc = s->step()) == SQLITE_ROW) out.push_back(RunObservations{s->text(0), s->integer(1), {}});
    if (rc != SQLITE_DONE) return std::unexpected(store_error(path_, s->error(), "health history"));
  }
  std::reverse(out.begin(), out.end());   // oldest first: a trend reads left to right
  for (auto& r : out) {
    auto obs = load(r.run_id, &filter);
    if (!obs) return std::unexpected(obs.error());
    r.observations = std::move(*obs);
  }
  return out;
}

}  // namespace mixnet::coord
