#pragma once
// The SQLite primitives every table of the results store uses (the runs, health observations,
// counter snapshots and drain records all live in one file): a prepared statement owned by RAII,
// SQL run for its effect ("create the table if missing", PRAGMAs), and a transaction that rolls
// back unless committed. Errors (io) carry the SQL and SQLite's own message; callers prefix what
// they were doing with Error::context.
#include <sqlite3.h>

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.hpp"

namespace mixnet::coord {

// Runs SQL that returns no rows: one statement or several (a schema). Errors:
// "<sql>: <sqlite's message>".
Result<void> exec_sql(sqlite3* db, std::string_view sql);

class SqliteStatement {
 public:
  // Errors: "prepare <sql>: <sqlite's message>".
  static Result<SqliteStatement> prepare(sqlite3* db, std::string_view sql);

  // Parameters by index, from 1. Text is copied (SQLITE_TRANSIENT).
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  SqliteStatement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, double value);
  template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t>)
  SqliteStatement& bind(int index, T value) {
    return bind(index, static_cast<std::int64_t>(value));
  }
  SqliteStatement& bind_null(int index);

  // sqlite3_step's code: SQLITE_ROW, SQLITE_DONE, or an error (then error() says what).
  int step();
  // Steps once and expects SQLITE_DONE (an INSERT, UPDATE, ...).
  Result<void> run();
  // Back to before the first step, to run again; the bindings are kept until bound anew.
  void reset();

  // The current row's columns, from 0. NULL reads as "", 0 and 0.0.
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] double real(int column) const;
  [[nodiscard]] bool is_null(int column) const;

  // The last failure on this statement's connection: "<sql>: <sqlite's message>".
  [[nodiscard]] Error error() const;

 private:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt, &sqlite3_finalize) {}
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt_;
};

// BEGIN IMMEDIATE (the write lock now, or the busy timeout's wait) ... commit(); rolled back when it
// goes out of scope uncommitted, so an error return in between leaves nothing half written.
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> begin(sqlite3* db);
  ~SqliteTransaction();
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  // On failure the transaction is rolled back.
  Result<void> commit();

 private:
  explicit SqliteTransaction(sqlite3* db) : db_(db) {}
  sqlite3* db_;   // null once committed or rolled back
};

}  // namespace mixnet::coord
