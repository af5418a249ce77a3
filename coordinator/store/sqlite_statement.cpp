#include "coordinator/store/sqlite_statement.hpp"

#include <utility>

#include <fmt/format.h>

namespace mixnet::coord {

Result<void> exec_sql(sqlite3* db, std::string_view sql) {
  const std::string text(sql);
  char* err = nullptr;
  if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err != nullptr ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    const auto first = sql.find_first_not_of(" \t\n");
    const auto last = sql.find_last_not_of(" \t\n");
    return fail(Errc::io, fmt::format("{}: {}", first == std::string_view::npos ? std::string_view() : sql.substr(first, last - first + 1), why));
  }
  return {};
}

Result<SqliteStatement> SqliteStatement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return fail(Errc::io, fmt::format("prepare {}: {}", sql, sqlite3_errmsg(db)));
  }
  return SqliteStatement(db, stmt);
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, double value) {
  sqlite3_bind_double(stmt_.get(), index, value);
  return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

int SqliteStatement::step() { return sqlite3_step(stmt_.get()); }

Result<void> SqliteStatement::run() {
  if (step() != SQLITE_DONE) return std::unexpected(error());
  return {};
}

void SqliteStatement::reset() { sqlite3_reset(stmt_.get()); }

std::string SqliteStatement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_.get(), column);
  return p == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

std::int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }

double SqliteStatement::real(int column) const { return sqlite3_column_double(stmt_.get(), column); }

bool SqliteStatement::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

Error SqliteStatement::error() const {
  return Error{Errc::io, fmt::format("{}: {}", sqlite3_sql(stmt_.get()), sqlite3_errmsg(db_)), {}};
}

Result<SqliteTransaction> SqliteTransaction::begin(sqlite3* db) {
  if (auto ok = exec_sql(db, "BEGIN IMMEDIATE"); !ok) return std::unexpected(ok.error());
  return SqliteTransaction(db);
}

SqliteTransaction::~SqliteTransaction() {
  // The error being returned past this point is the one worth reporting, not the rollback's.
  if (db_ != nullptr) (void)exec_sql(db_, "ROLLBACK");
}

Result<void> SqliteTransaction::commit() {
  sqlite3* db = std::exchange(db_, nullptr);
  auto ok = exec_sql(db, "COMMIT");
  if (!ok) (void)exec_sql(db, "ROLLBACK");   // the commit's error is the one to report
  return ok;
}

}  // namespace mixnet::coord
