// `mixnet-coord baseline generate` and `mixnet-coord health trend` on a temporary results store:
// the file written, read back, and the exit codes (plugin codes under `health`).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "coordinator/cli/commands.hpp"
#include "coordinator/health/baseline.hpp"
#include "coordinator/store/health_records.hpp"
#include "coordinator/store/store.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::health;
namespace fs = std::filesystem;

namespace {

struct Nights {
  fs::path dir = fs::temp_directory_path() / ("mixnet-health-cli-" + std::to_string(getpid()));
  Nights() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Nights() { fs::remove_all(dir); }
  [[nodiscard]] std::string db() const { return (dir / "results.db").string(); }
  int cli(std::vector<std::string> args) const {
    args.insert(args.begin(), "mixnet-coord");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return run_cli(static_cast<int>(argv.size()), argv.data());
  }
  // Seven passing nights: h1:ocs0 loses 0.8% a night (each night within 5% of the last week),
  // h2:ocs0 is steady.
  void record() const {
    auto store = ResultsStore::open(db());
    REQUIRE(store.has_value());
    auto records = HealthRecords::open(**store);
    REQUIRE(records.has_value());
    for (int n = 0; n < 7; ++n) {
      const auto id = fmt::format("n{}", n);
      const std::int64_t started = (n + 1) * 86'400'000'000'000;
      REQUIRE((*store)->begin_run(RunRow{.id = id, .playbook = "p", .playbook_name = "nightly-health", .hostname = "h", .started_ns = started}).has_value());
      std::vector<Observation> obs;
      for (const auto& [part, gbps] : {std::pair{"h1:ocs0", 9.4 * (1.0 - 0.008 * n)}, std::pair{"h2:ocs0", 9.4}}) {
        Observation o;
        o.part = part;
        o.figure = "bandwidth_gbps";
        o.value = gbps;
        o.unit = "Gb/s";
        obs.push_back(o);
      }
      REQUIRE(records->save(id, obs).has_value());
      REQUIRE((*store)->finish_run(id, "passed", "", started + 1, nlohmann::json::array()).has_value());
    }
  }
};

}  // namespace

TEST_CASE("baseline generate writes a reviewable file from the newest passing runs") {
  Nights nights;
  nights.record();
  const auto out = (nights.dir / "sub" / "baseline.yaml").string();
  REQUIRE(nights.cli({"baseline", "generate", "--runs", "5", "--db", nights.db(), "-o", out}) == kExitPassed);
  auto b = read_baseline(out);
  INFO((b ? std::string() : b.error().message));
  REQUIRE(b.has_value());
  CHECK(b->run_ids == std::vector<std::string>{"n6", "n5", "n4", "n3", "n2"});
  CHECK(b->generated_from == fs::absolute(nights.db()).lexically_normal().string());
  REQUIRE(b->find("h2:ocs0", "bandwidth_gbps") != nullptr);
  CHECK(b->find("h2:ocs0", "bandwidth_gbps")->median == Approx(9.4));
  CHECK(b->find("h1:ocs0", "bandwidth_gbps")->runs == 5);
  // Named runs; an unknown run and too few passing runs are bad input.
  CHECK(nights.cli({"baseline", "generate", "--run", "n0", "--run", "n1", "--db", nights.db(), "-o", out}) == kExitPassed);
  auto two = read_baseline(out);
  REQUIRE(two.has_value());
  CHECK(two->run_ids.size() == 2);
  CHECK(nights.cli({"baseline", "generate", "--run", "nope", "--db", nights.db(), "-o", out}) == kExitBadInput);
  CHECK(nights.cli({"baseline", "generate", "--runs", "8", "--db", nights.db(), "-o", out}) == kExitBadInput);
  CHECK(nights.cli({"baseline", "generate", "--db", nights.db(), "-o", out}) == kExitBadInput);
}

TEST_CASE("health trend warns (exit 1) on a slow decline, is OK on a steady port, UNKNOWN without data") {
  Nights nights;
  nights.record();
  CHECK(nights.cli({"health", "trend", "--port", "h1:ocs0", "--db", nights.db()}) == 1);
  CHECK(nights.cli({"health", "trend", "--port", "h1:ocs0", "--db", nights.db(), "--json"}) == 1);
  CHECK(nights.cli({"health", "trend", "--port", "h1:ocs0", "--db", nights.db(), "--decline-percent", "10"}) == 0);
  CHECK(nights.cli({"health", "trend", "--host", "h2", "--figure", "bandwidth_gbps", "--db", nights.db()}) == 0);
  CHECK(nights.cli({"health", "trend", "--part", "h9:ocs0", "--db", nights.db()}) == 3);
  CHECK(nights.cli({"health", "trend", "--db", nights.db()}) == 3);                        // which part?
  CHECK(nights.cli({"health", "trend", "--port", "h1:ocs0", "--host", "h1", "--db", nights.db()}) == 3);   // parse error under health
  CHECK(nights.cli({"health", "trend", "--port", "h1:ocs0", "--nights", "1", "--db", nights.db()}) == 3);
}
