// The drain records (coordinator/store/drain_records.hpp): their own table in the results
// store's file, created when missing; one open drain per node; closing and history.
#include <catch2/catch.hpp>

#include "coordinator/store/drain_records.hpp"
#include "coordinator/store/store.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

DrainRecord record(const std::string& node, const std::string& host, const std::string& run) {
  DrainRecord r;
  r.scheduler = "slurm";
  r.node = node;
  r.host = host;
  r.reason = "mixnet: " + host + ":ocs1 dark";
  r.set_by = "root";
  r.set_at = "2026-12-06T20:02:08";
  r.drained_run = run;
  r.drained_ns = 42;
  return r;
}

}  // namespace

TEST_CASE("drain records live in the results store's file and survive reopening") {
  mixnet::testing::ScratchDir dir("mixnet-drain-records");
  const auto path = dir.path + "/results.db";
  {
    auto store = ResultsStore::open(path);
    REQUIRE(store.has_value());
    auto records = DrainRecords::open((*store)->handle());
    REQUIRE(records.has_value());
    auto id = records->add(record("node-c", "h3", "run-1"));
    REQUIRE(id.has_value());
    CHECK(*id > 0);
  }
  auto store = ResultsStore::open(path);
  REQUIRE(store.has_value());
  auto records = DrainRecords::open((*store)->handle());   // the table exists: opening is a no-op
  REQUIRE(records.has_value());
  auto open = records->open_drain("slurm", "node-c");
  REQUIRE(open.has_value());
  REQUIRE(open->has_value());
  const auto& r = **open;
  CHECK(r.host == "h3");
  CHECK(r.reason == "mixnet: h3:ocs1 dark");
  CHECK(r.set_by == "root");
  CHECK(r.set_at == "2026-12-06T20:02:08");
  CHECK(r.drained_run == "run-1");
  CHECK(r.drained_ns == 42);
  CHECK(r.open());
}

TEST_CASE("one open drain per node, closing it makes room for the next, and history keeps both") {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owner(db, &sqlite3_close);
  auto records = DrainRecords::open(db);
  REQUIRE(records.has_value());
  REQUIRE(records->add(record("node-c", "h3", "run-1")).has_value());
  auto twice = records->add(record("node-c", "h3", "run-2"));
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().code == Errc::conflict);
  CHECK(twice.error().field == "node");

  // Another scheduler's node of the same name is another record.
  auto other = record("node-c", "h3", "run-2");
  other.scheduler = "other";
  REQUIRE(records->add(other).has_value());

  REQUIRE(records->close("slurm", "node-c", "resumed", "run-2", 99).has_value());
  auto again = records->close("slurm", "node-c", "resumed", "run-2", 99);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == Errc::not_found);
  auto none = records->open_drain("slurm", "node-c");
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());

  REQUIRE(records->add(record("node-c", "h3", "run-3")).has_value());
  REQUIRE(records->add(record("node-a", "h1", "run-3")).has_value());
  auto open = records->open_drains("slurm");
  REQUIRE(open.has_value());
  REQUIRE(open->size() == 2);
  CHECK(open->at(0).node == "node-c");
  CHECK(open->at(1).node == "node-a");

  auto history = records->history("slurm", "node-c");
  REQUIRE(history.has_value());
  REQUIRE(history->size() == 2);
  CHECK(history->at(0).drained_run == "run-3");   // newest first
  CHECK(history->at(0).open());
  CHECK(history->at(1).closed_how == "resumed");
  CHECK(history->at(1).closed_run == "run-2");
  CHECK(history->at(1).closed_ns == 99);
}
