// The results store: WAL, rows committed as they happen, and a run whose coordinator died shown
// as incomplete with everything it had recorded.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "tests/coordinator/support/coord_fakes.hpp"
#include "coordinator/engine/registered_items.hpp"
#include "coordinator/store/process_alive.hpp"
#include "coordinator/store/store.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::testing;

namespace {

// A fresh folder per test, removed afterwards.
struct StoreTempDir {
  std::filesystem::path path;
  StoreTempDir() {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() / ("mixnet-store-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path);
  }
  ~StoreTempDir() { std::filesystem::remove_all(path); }
  std::string db() const { return (path / "sub" / "results.db").string(); }
};

// A playbook (fake modules) run through the engine into a fresh store: what the store observer
// and the engine said.
struct StoredRun {
  StoreTempDir dir;
  std::unique_ptr<ResultsStore> store;
  FakeLog log;
  ModuleRegistry registry = fake_registry(log);
  Inventory inv = two_host_inventory();
  TopologySet topologies;
  std::optional<Error> store_error;
  RecordingObserver seen;   // what the engine reported, after the store

  StoredRun() {
    auto opened = ResultsStore::open(dir.db());
    REQUIRE(opened.has_value());
    store = std::move(*opened);
  }
  RunOutcome run(const std::string& playbook_text, const std::string& file, const std::string& run_id) {
    auto pb = parse_playbook(playbook_text, file, "", registry);
    REQUIRE(pb.has_value());
    StoreObserver observer(*store, RunRow{.playbook = file, .inventory = "inv.yaml", .out_dir = "/tmp/out"});
    Engine engine(registry, inv, topologies);
    engine.add_observer(&observer);
    engine.add_observer(&seen);
    RunOptions opts;
    opts.run_id = run_id;
    auto outcome = engine.run(*pb, opts);
    store_error = observer.first_error();
    return outcome;
  }
};

}  // namespace

TEST_CASE("the store creates its folder and runs in WAL mode") {
  StoreTempDir dir;
  auto store = ResultsStore::open(dir.db());
  REQUIRE(store.has_value());
  CHECK(std::filesystem::exists(dir.db()));
  auto mode = (*store)->journal_mode();
  REQUIRE(mode.has_value());
  CHECK(*mode == "wal");
}

TEST_CASE("the db path: --db, else $MIXNET_DB, else the default") {
  ::unsetenv("MIXNET_DB");
  CHECK(resolve_db_path("") == kDefaultDbPath);
  ::setenv("MIXNET_DB", "/tmp/x.db", 1);
  CHECK(resolve_db_path("") == "/tmp/x.db");
  CHECK(resolve_db_path("/y.db") == "/y.db");
  ::unsetenv("MIXNET_DB");
}

TEST_CASE("a run through the engine lands in the store, step by step and item by item") {
  StoredRun r;
  const auto outcome = r.run(R"(
name: stored
steps:
  - {name: verify, fake.items: {items: [{id: "h1:p0", status: ok}, {id: "h2:p0", status: dark, message: "no light"}]}}
  - {name: loop, fake.echo: {v: "{{ item }}"}, loop: [a, b], register: l}
always:
  - {name: done, fake.echo: {}}
)",
                             "stored.yaml", "run-1");
  CHECK_FALSE(r.store_error.has_value());
  CHECK_FALSE(outcome.passed);   // h2 failed, max_fail_hosts 0
  auto& store = r.store;

  auto detail = store->load_run("run-1");
  REQUIRE(detail.has_value());
  CHECK(detail->run.status == "failed");
  CHECK(detail->run.effective_status() == "failed");
  CHECK(detail->run.playbook_name == "stored");
  CHECK(detail->run.pid == getpid());
  CHECK(detail->run.failed_hosts == nlohmann::json::array({"h2"}));
  REQUIRE(detail->steps.size() == 3);
  CHECK(detail->steps[0].status == "partial");
  CHECK(detail->steps[0].items_failed == 1);
  CHECK(detail->steps[1].status == "ok");
  CHECK(detail->steps[1].args == nlohmann::json::array({{{"v", "a"}}, {{"v", "b"}}}));
  CHECK(detail->steps[1].registered["results"].size() == 2);
  CHECK(detail->steps[2].section == "always");
  REQUIRE(detail->items.size() == 2);
  CHECK(detail->items[1].id == "h2:p0");
  CHECK(detail->items[1].status == "dark");
  CHECK(detail->items[1].message == "no light");
  CHECK(detail->items[1].hosts == nlohmann::json::array({"h2"}));
  CHECK(detail->items[1].finished_ns >= detail->items[1].started_ns);

  auto latest = store->load_run("latest");
  REQUIRE(latest.has_value());
  CHECK(latest->run.id == "run-1");
  CHECK_FALSE(store->load_run("nope").has_value());
}

TEST_CASE("items recorded together are kept in one transaction, in order, all or none") {
  StoredRun r;
  nlohmann::json items = nlohmann::json::array();
  for (int k = 0; k < 500; ++k) items.push_back({{"id", "h1:p" + std::to_string(k)}, {"status", k == 7 ? "failed" : "ok"}});
  nlohmann::json step = {{"name", "many"}, {"fake.items", {{"batch", true}, {"items", items}}}};
  (void)r.run("name: batch\nsteps:\n  - " + step.dump() + "\n", "batch.yaml", "run-batch");
  CHECK_FALSE(r.store_error.has_value());
  auto& store = r.store;
  auto detail = store->load_run("run-batch");
  REQUIRE(detail.has_value());
  REQUIRE(detail->items.size() == 500);
  CHECK(detail->items[0].id == "h1:p0");
  CHECK(detail->items[7].status == "failed");
  CHECK(detail->items[499].id == "h1:p499");
  CHECK(detail->items[499].hosts == nlohmann::json::array({"h1"}));
  CHECK(detail->steps.at(0).items_failed == 1);

  // A batch that cannot be kept whole is not kept at all: a run the store does not know breaks
  // the first row's foreign key, and no row of the batch stays.
  std::vector<ItemRow> rows(3);
  for (std::size_t k = 0; k < rows.size(); ++k) rows[k].id = "x" + std::to_string(k);
  const auto bad = store->add_items("no-such-run", rows);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message.find("insert items") != std::string::npos);
  auto again = store->load_run("run-batch");
  REQUIRE(again.has_value());
  CHECK(again->items.size() == 500);
}

TEST_CASE("the engine holds no recorded item: the store has every one and gives a step's result its items back") {
  StoredRun r;
  constexpr int kMany = 3000;
  nlohmann::json items = nlohmann::json::array();
  for (int k = 0; k < kMany; ++k) items.push_back({{"id", "h1:p" + std::to_string(k)}, {"status", "ok"}, {"message", "m" + std::to_string(k)}});
  nlohmann::json many = {{"name", "many"}, {"fake.items", {{"batch", true}, {"items", items}}}};
  const auto outcome = r.run("name: held\nsteps:\n  - " + many.dump() + R"(
  - {name: kept, fake.items: {items: [{id: "h1:p0", status: ok}, {id: "h2:p0", status: ok}, {id: "h3:p0", status: ok}]}, register: k}
  - {name: looped, fake.items: {items: [{id: "h1:p0", status: ok}, {id: "h2:p0", status: ok}]}, loop: [a, b]}
  - {name: check, assert: {that: ["k.items | length == 3", "k.items[2].id == 'h3:p0'", "k.items[2].hosts == ['h3']"]}}
)",
                             "held.yaml", "run-held");
  CHECK_FALSE(r.store_error.has_value());
  CHECK(outcome.passed);

  // What the engine held when each step ended: nothing, unless the playbook reads the result.
  const auto& seen = r.seen.outcomes;
  CHECK(seen.at("many").items_total == kMany);
  CHECK(seen.at("many").items_kept == 0);
  CHECK_FALSE(seen.at("many").registered.contains("items"));
  CHECK(seen.at("kept").items_kept == 3);          // `register`: the playbook reads them (check passed)
  CHECK_FALSE(seen.at("kept").registered.contains("items"));
  CHECK(seen.at("looped").items_kept == 0);
  CHECK(seen.at("check").status == StepStatus::ok);

  // The store has every item, and each step's result has its items back, as recorded.
  auto detail = r.store->load_run("run-held");
  REQUIRE(detail.has_value());
  REQUIRE(detail->items.size() == kMany + 3 + 4);
  const auto& result = detail->steps.at(0).registered;
  REQUIRE(result["items"].size() == kMany);
  CHECK(result["items"][0] == nlohmann::json({{"kind", "port"}, {"id", "h1:p0"}, {"status", "ok"}, {"message", "m0"},
                                              {"data", nlohmann::json::object()}, {"hosts", {"h1"}}}));
  CHECK(result["items"][kMany - 1]["id"] == "h1:p" + std::to_string(kMany - 1));
  CHECK(detail->steps.at(1).registered["items"].size() == 3);
  const auto& loop = detail->steps.at(2).registered;
  REQUIRE(loop["results"].size() == 2);
  CHECK(loop["results"][0]["items"].size() == 2);
  CHECK(loop["results"][1]["items"][1]["id"] == "h2:p0");
  CHECK(loop["items"].size() == 4);
  // Read one item at a time: the stored result has no items lists; the items table has them all.
  auto steps = r.store->load_run_steps("run-held");
  REQUIRE(steps.has_value());
  CHECK_FALSE(steps->steps.at(0).registered.contains("items"));
  int read = 0;
  REQUIRE(r.store->for_each_item("run-held", 0, std::nullopt, [&](ItemRow&& row) { read += row.step_seq == 0 ? 1 : 0; }).has_value());
  CHECK(read == kMany);
  std::vector<std::string> second_loop_item;
  REQUIRE(r.store->for_each_item("run-held", 2, AttemptKey{1, 1}, [&](ItemRow&& row) { second_loop_item.push_back(row.id); }).has_value());
  CHECK(second_loop_item == std::vector<std::string>{"h1:p0", "h2:p0"});
  auto last = r.store->last_attempts("run-held", 2);
  REQUIRE(last.has_value());
  CHECK(*last == std::map<std::int64_t, std::int64_t>{{0, 1}, {1, 1}});
}

TEST_CASE("a step's result gets the items of its final attempt back, and a result that has its items keeps them") {
  StoredRun r;
  (void)r.run(R"(
steps:
  - {name: flaky, fake.items: {key: f, id: "h2:p0", by_call: [dark, ok], items: [{id: "h1:p0", status: ok}]}, retries: 1, delay: 0}
)",
              "final.yaml", "run-final");
  auto detail = r.store->load_run("run-final");
  REQUIRE(detail.has_value());
  const auto& result = detail->steps.at(0).registered;
  CHECK(result["attempts"] == 2);
  std::vector<std::string> final_items;
  for (const auto& i : detail->items) {
    if (i.final_attempt) final_items.push_back(i.id + " " + i.status);
  }
  std::vector<std::string> in_result;
  for (const auto& i : result["items"]) in_result.push_back(i["id"].get<std::string>() + " " + i["status"].get<std::string>());
  CHECK(in_result == final_items);
  CHECK(detail->items.size() > final_items.size());   // the first attempt's are in the store, not in the result

  // A result stored with its items (runs recorded before they were left out) is left as it was.
  nlohmann::json old = {{"ok", true}, {"attempts", 1}, {"items", {{{"id", "x"}}}}};
  put_back_items(old, [](const AttemptKeys&) { return nlohmann::json::array({{{"id", "y"}}}); });
  CHECK(old["items"] == nlohmann::json::array({{{"id", "x"}}}));
  nlohmann::json not_run;   // a step that never ran: null
  put_back_items(not_run, [](const AttemptKeys&) { return nlohmann::json::array(); });
  CHECK(not_run.is_null());
}

TEST_CASE("a coordinator killed mid-run leaves a readable run shown as incomplete") {
  StoreTempDir dir;
  {
    auto store = ResultsStore::open(dir.db());   // create the schema first
    REQUIRE(store.has_value());
  }
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The "coordinator": starts a run, records a step and an item, and dies without finishing.
    auto store = ResultsStore::open(dir.db());
    if (!store) _exit(2);
    FakeLog log;
    const auto registry = fake_registry(log);
    const auto inv = two_host_inventory();
    const TopologySet topologies;
    auto pb = parse_playbook("steps:\n  - {name: s, fake.items: {items: [{id: \"h1:p0\", status: ok}]}}\n", "killed.yaml", "", registry);
    if (!pb) _exit(3);
    StoreObserver observer(**store, RunRow{.playbook = "killed.yaml"});
    RunHeader header{.run_id = "killed-run", .playbook = &*pb, .selected = {&pb->steps[0]}, .started_ns = 1};
    observer.run_started(header);
    observer.step_started(pb->steps[0], 2);
    ItemResult item{.kind = "port", .id = "h1:p0", .status = "ok", .hosts = {"h1"}};
    observer.item(pb->steps[0], 0, 1, item);
    _exit(observer.first_error() ? 4 : 0);   // no destructors, no finish: as if killed
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  auto store = ResultsStore::open(dir.db());
  REQUIRE(store.has_value());
  auto detail = (*store)->load_run("killed-run");
  REQUIRE(detail.has_value());
  CHECK(detail->run.status == "running");
  CHECK(detail->run.pid == child);
  CHECK(detail->run.effective_status() == "incomplete");
  REQUIRE(detail->steps.size() == 1);
  CHECK(detail->steps[0].status == "running");
  REQUIRE(detail->items.size() == 1);
  CHECK(detail->items[0].id == "h1:p0");
  auto runs = (*store)->list_runs(10);
  REQUIRE(runs.has_value());
  REQUIRE(runs->size() == 1);
  CHECK((*runs)[0].effective_status() == "incomplete");
}

TEST_CASE("a live run is not incomplete, a reused pid with another start time is") {
  RunRow row;
  row.status = "running";
  row.hostname = this_hostname();
  row.pid = getpid();
  row.pid_start = process_start_token(getpid());
  CHECK_FALSE(row.pid_start.empty());
  CHECK(row.effective_status() == "running");
  row.pid_start = "1";   // the same pid, but not the process that started the run
  CHECK(row.effective_status() == "incomplete");
  row.hostname = "another-machine";   // cannot tell from here
  CHECK(row.effective_status() == "running");
}

TEST_CASE("runs list newest first") {
  StoreTempDir dir;
  auto store = ResultsStore::open(dir.db());
  REQUIRE(store.has_value());
  for (int i = 1; i <= 3; ++i) {
    RunRow row{.id = "r" + std::to_string(i), .playbook = "p", .playbook_name = "p", .hostname = "h", .started_ns = i * 1000};
    REQUIRE((*store)->begin_run(row).has_value());
    REQUIRE((*store)->finish_run(row.id, "passed", "", i * 1000 + 1, nlohmann::json::array()).has_value());
  }
  auto runs = (*store)->list_runs(2);
  REQUIRE(runs.has_value());
  REQUIRE(runs->size() == 2);
  CHECK((*runs)[0].id == "r3");
  CHECK((*runs)[1].id == "r2");
  CHECK((*runs)[0].status == "passed");
}
