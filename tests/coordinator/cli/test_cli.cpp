// mixnet-coord end to end without hardware: check, run (exit codes, the run folder, the store),
// results show, and load errors naming the file.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "coordinator/cli/commands.hpp"
#include "coordinator/store/store.hpp"

using namespace mixnet;
using namespace mixnet::coord;
namespace fs = std::filesystem;

namespace {

struct Lab {
  fs::path dir = fs::temp_directory_path() / ("mixnet-cli-" + std::to_string(getpid()));
  Lab() {
    fs::remove_all(dir);
    fs::create_directories(dir / "topo");
    write("inv.yaml", R"(version: 1
hosts:
  - {name: h1, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p0, ocs: {switch: o, tx: 1, rx: 11}}]}
  - {name: h2, agent: {url: "http://127.0.0.1:9"}, ports: [{name: p0, ocs: {switch: o, tx: 2, rx: 12}}]}
switches: [{name: o, kind: ocs, uri: "polatis-tl1://a@127.0.0.1:9"}]
)");
    write("topo/t.yaml", "name: pair\ncircuits: [h1:p0 - h2:p0]\n");
  }
  ~Lab() { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  int cli(std::vector<std::string> args) const {
    args.insert(args.begin(), "mixnet-coord");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return run_cli(static_cast<int>(argv.size()), argv.data());
  }
};

}  // namespace

TEST_CASE("check validates the playbook with its topologies, errors exit 2") {
  Lab lab;
  lab.write("ok.yaml", "topologies: [topo/t.yaml]\nsteps:\n  - {assert: {that: \"true\"}}\n");
  CHECK(lab.cli({"check", lab.path("ok.yaml"), "-i", lab.path("inv.yaml")}) == kExitPassed);
  lab.write("bad.yaml", "topologies: [topo/missing.yaml]\nsteps: []\n");
  CHECK(lab.cli({"check", lab.path("bad.yaml"), "-i", lab.path("inv.yaml")}) == kExitBadInput);
  auto loaded = load_playbook_run(lab.path("bad.yaml"), lab.path("inv.yaml"), {}, builtin_modules());
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().message.find("topo/missing.yaml: cannot open") != std::string::npos);
  auto good = load_playbook_run(lab.path("ok.yaml"), lab.path("inv.yaml"), {}, builtin_modules());
  REQUIRE(good.has_value());
  CHECK(good->topologies.find("pair") != nullptr);
  CHECK(lab.cli({"check", lab.path("ok.yaml")}) == kExitBadInput);   // -i is required
}

TEST_CASE("the app's options work after the subcommand too, and --version answers") {
  Lab lab;
  lab.write("ok.yaml", "topologies: [topo/t.yaml]\nsteps:\n  - {assert: {that: \"true\"}}\n");
  // --log-level is mixnet-coord's own option; it used to be refused after "check".
  CHECK(lab.cli({"check", lab.path("ok.yaml"), "-i", lab.path("inv.yaml"), "--log-level", "warn"}) == kExitPassed);
  CHECK(lab.cli({"--log-level", "warn", "check", lab.path("ok.yaml"), "-i", lab.path("inv.yaml")}) == kExitPassed);
  CHECK(lab.cli({"check", lab.path("ok.yaml"), "-i", lab.path("inv.yaml"), "--no-such-option"}) == kExitBadInput);
  CHECK(lab.cli({"--version"}) == 0);   // prints "mixnet-coord VERSION" (tests/tools/test_cli_conventions.cpp reads it)
}

TEST_CASE("run exits 0 only when the run passed, and leaves results.json and junit.xml") {
  Lab lab;
  const auto db = lab.path("results.db");
  lab.write("pass.yaml", "steps:\n  - {name: fine, assert: {that: \"n == 2\"}}\n");
  CHECK(lab.cli({"run", lab.path("pass.yaml"), "-i", lab.path("inv.yaml"), "--db", db, "--out", lab.path("out-pass"), "-e", "n=2"}) == kExitPassed);
  CHECK(fs::exists(lab.path("out-pass/results.json")));
  CHECK(fs::exists(lab.path("out-pass/junit.xml")));
  CHECK(lab.cli({"run", lab.path("pass.yaml"), "-i", lab.path("inv.yaml"), "--db", db, "--out", lab.path("out-fail"), "-e", "n=3"}) == kExitFailed);
  std::ifstream in(lab.path("out-fail/results.json"));
  const auto j = nlohmann::json::parse(in);
  CHECK(j["run"]["status"] == "failed");
  CHECK(j["steps"][0]["message"] == "assertion failed: 'n == 2' is false");
  auto store = ResultsStore::open(db);
  REQUIRE(store.has_value());
  auto runs = (*store)->list_runs(10);
  REQUIRE(runs.has_value());
  CHECK(runs->size() == 2);
  CHECK(lab.cli({"results", "list", "--db", db}) == kExitPassed);
  CHECK(lab.cli({"results", "show", "latest", "--db", db}) == kExitPassed);
  CHECK(lab.cli({"results", "show", "no-such-run", "--db", db}) == kExitBadInput);
  CHECK(lab.cli({"results", "show", "latest", "--db", db, "--out", lab.path("again")}) == kExitPassed);
  CHECK(fs::exists(lab.path("again/junit.xml")));
  CHECK(lab.cli({"run", lab.path("pass.yaml"), "-i", lab.path("inv.yaml"), "--db", db, "--list-steps"}) == kExitPassed);
  CHECK((*store)->list_runs(10)->size() == 2);   // --list-steps runs nothing
}

TEST_CASE("a results store that cannot be opened exits 3 before anything runs") {
  Lab lab;
  lab.write("pass.yaml", "steps:\n  - {assert: {that: \"true\"}}\n");
  lab.write("file", "x");
  CHECK(lab.cli({"run", lab.path("pass.yaml"), "-i", lab.path("inv.yaml"), "--db", lab.path("file/results.db")}) == kExitStore);
}

// The read-only commands exit 0 on a good inventory and topology, and 2 on an unknown name or a bad topology.
TEST_CASE("inventory show and topology show|verify") {
  Lab lab;
  CHECK(lab.cli({"inventory", "show", "-i", lab.path("inv.yaml")}) == kExitPassed);
  CHECK(lab.cli({"inventory", "show", "-i", lab.path("inv.yaml"), "--json"}) == kExitPassed);
  CHECK(lab.cli({"topology", "verify", "-i", lab.path("inv.yaml"), lab.path("topo/t.yaml")}) == kExitPassed);
  CHECK(lab.cli({"topology", "show", "-i", lab.path("inv.yaml"), lab.path("topo/t.yaml"), "--name", "pair", "--json"}) == kExitPassed);
  CHECK(lab.cli({"topology", "show", "-i", lab.path("inv.yaml"), lab.path("topo/t.yaml"), "--name", "nope"}) == kExitBadInput);
  lab.write("topo/bad.yaml", "name: b\ncircuits: [h1:p0 - h9:p0]\n");
  CHECK(lab.cli({"topology", "verify", "-i", lab.path("inv.yaml"), lab.path("topo/bad.yaml")}) == kExitBadInput);
}
