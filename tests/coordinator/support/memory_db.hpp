#pragma once
// An SQLite database in memory for a test: opened by the constructor, closed by the destructor.
#include <catch2/catch.hpp>
#include <sqlite3.h>

namespace mixnet::coord::testing {

struct MemoryDb {
  MemoryDb() { REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK); }
  ~MemoryDb() { sqlite3_close(db); }
  MemoryDb(const MemoryDb&) = delete;
  MemoryDb& operator=(const MemoryDb&) = delete;
  sqlite3* db = nullptr;
};

}  // namespace mixnet::coord::testing
