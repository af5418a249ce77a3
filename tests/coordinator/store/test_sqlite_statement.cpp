// The SQLite primitives the results store's tables share (coordinator/store/sqlite_statement.hpp):
// binding and reading each type, errors that carry the SQL and SQLite's message, and a
// transaction that rolls back unless committed.
#include <catch2/catch.hpp>

#include <memory>

#include "coordinator/store/sqlite_statement.hpp"
#include "tests/coordinator/support/memory_db.hpp"

using namespace mixnet;
using namespace mixnet::coord;

using mixnet::coord::testing::MemoryDb;

namespace {

std::int64_t count_rows(sqlite3* db) {
  auto s = SqliteStatement::prepare(db, "SELECT count(*) FROM t");
  REQUIRE(s.has_value());
  REQUIRE(s->step() == SQLITE_ROW);
  return s->integer(0);
}

}  // namespace

TEST_CASE("sqlite statement: each type bound by index reads back, NULL included") {
  MemoryDb m;
  REQUIRE(exec_sql(m.db, "CREATE TABLE t (a TEXT, b INTEGER, c REAL, d REAL)").has_value());
  auto insert = SqliteStatement::prepare(m.db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  REQUIRE(insert.has_value());
  insert->bind(1, std::string("x\0y", 3)).bind(2, std::int64_t{1} << 40).bind(3, 2.5).bind_null(4);
  REQUIRE(insert->run().has_value());
  insert->reset();
  insert->bind(1, "second").bind(2, 7).bind(3, -1.0).bind(4, 0.0);
  REQUIRE(insert->run().has_value());

  auto read = SqliteStatement::prepare(m.db, "SELECT a, b, c, d FROM t ORDER BY rowid");
  REQUIRE(read.has_value());
  REQUIRE(read->step() == SQLITE_ROW);
  CHECK(read->text(0) == std::string("x\0y", 3));
  CHECK(read->integer(1) == (std::int64_t{1} << 40));
  CHECK(read->real(2) == 2.5);
  CHECK(read->is_null(3));
  CHECK(read->text(3).empty());
  REQUIRE(read->step() == SQLITE_ROW);
  CHECK(read->text(0) == "second");
  CHECK(read->integer(1) == 7);
  CHECK_FALSE(read->is_null(3));
  CHECK(read->step() == SQLITE_DONE);
}

TEST_CASE("sqlite statement: errors carry the SQL and SQLite's message") {
  MemoryDb m;
  auto bad = SqliteStatement::prepare(m.db, "SELECT nope FROM missing");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == Errc::io);
  CHECK_THAT(bad.error().message, Catch::StartsWith("prepare SELECT nope FROM missing: "));
  CHECK_THAT(bad.error().message, Catch::Contains("no such table: missing"));

  REQUIRE(exec_sql(m.db, "CREATE TABLE t (a INTEGER PRIMARY KEY)").has_value());
  auto insert = SqliteStatement::prepare(m.db, "INSERT INTO t VALUES (?1)");
  REQUIRE(insert.has_value());
  insert->bind(1, 1);
  REQUIRE(insert->run().has_value());
  insert->reset();
  auto twice = insert->run();
  REQUIRE_FALSE(twice.has_value());
  CHECK_THAT(twice.error().message, Catch::StartsWith("INSERT INTO t VALUES (?1): "));
  CHECK_THAT(twice.error().message, Catch::Contains("UNIQUE constraint failed"));

  auto exec = exec_sql(m.db, "\n  CREATE TABLE t (a INTEGER);\n");
  REQUIRE_FALSE(exec.has_value());
  CHECK_THAT(exec.error().message, Catch::Equals("CREATE TABLE t (a INTEGER);: table t already exists"));
}

TEST_CASE("sqlite transaction: committed rows stay, an abandoned transaction leaves nothing") {
  MemoryDb m;
  REQUIRE(exec_sql(m.db, "CREATE TABLE t (a INTEGER)").has_value());
  {
    auto tx = SqliteTransaction::begin(m.db);
    REQUIRE(tx.has_value());
    REQUIRE(exec_sql(m.db, "INSERT INTO t VALUES (1)").has_value());
    REQUIRE(tx->commit().has_value());
  }
  CHECK(count_rows(m.db) == 1);
  {
    auto tx = SqliteTransaction::begin(m.db);
    REQUIRE(tx.has_value());
    REQUIRE(exec_sql(m.db, "INSERT INTO t VALUES (2)").has_value());
  }   // an error return between begin and commit: rolled back
  CHECK(count_rows(m.db) == 1);
  // Nothing left open: a new transaction begins.
  auto again = SqliteTransaction::begin(m.db);
  REQUIRE(again.has_value());
  REQUIRE(again->commit().has_value());
}
