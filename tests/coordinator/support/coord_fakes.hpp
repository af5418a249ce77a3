#pragma once
// Fake modules and a recording observer for the engine's unit tests: no agents, no switches.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "coordinator/engine/engine.hpp"
#include "coordinator/engine/registry.hpp"
#include "coordinator/model/inventory.hpp"
#include "coordinator/model/topology.hpp"
#include "coordinator/playbook/playbook.hpp"

namespace mixnet::coord::testing {

// What the fakes saw, shared by one test's modules.
struct FakeLog {
  std::vector<nlohmann::json> calls;          // {module, args, check_mode, step}
  std::map<std::string, int> counters;        // fake.flaky: calls per key
};

// fake.echo: succeeds; data = args; changed = args.changed.
class EchoModule final : public Module {
 public:
  explicit EchoModule(FakeLog& log) : log_(log) {}
  std::string_view name() const override { return "fake.echo"; }
  Result<void> validate(const nlohmann::json& args, const ValidationContext&) const override {
    if (args.contains("bad")) return fail(Errc::invalid_argument, "bad is not allowed", "bad");
    return {};
  }
  StepResult run(const nlohmann::json& args, StepContext& ctx) override {
    log_.calls.push_back({{"module", "fake.echo"}, {"args", args}, {"check_mode", ctx.check_mode}, {"step", ctx.step_name}});
    StepResult r;
    r.changed = args.value("changed", false);
    r.data = args;
    r.message = ctx.check_mode ? "would echo" : "echoed";
    return r;
  }

 private:
  FakeLog& log_;
};

// fake.flaky: fails the first `fail_times` calls for its `key`, then succeeds; data.calls = count.
class FlakyModule final : public Module {
 public:
  explicit FlakyModule(FakeLog& log) : log_(log) {}
  std::string_view name() const override { return "fake.flaky"; }
  Result<void> validate(const nlohmann::json&, const ValidationContext&) const override { return {}; }
  StepResult run(const nlohmann::json& args, StepContext& ctx) override {
    const auto key = args.value("key", std::string("k"));
    const int n = ++log_.counters[key];
    log_.calls.push_back({{"module", "fake.flaky"}, {"args", args}, {"check_mode", ctx.check_mode}, {"step", ctx.step_name}});
    StepResult r;
    r.data = {{"calls", n}};
    if (n <= args.value("fail_times", 0)) {
      r.ok = false;
      r.message = "flaked on call " + std::to_string(n);
    }
    return r;
  }

 private:
  FakeLog& log_;
};

// fake.items: records one item per entry of args.items ({kind, id, status, hosts?}) through the sink
// (args.batch: all at once, ResultSink::record_all), and (args.returned) more in StepResult::items.
class ItemsModule final : public Module {
 public:
  explicit ItemsModule(FakeLog& log) : log_(log) {}
  std::string_view name() const override { return "fake.items"; }
  Result<void> validate(const nlohmann::json&, const ValidationContext&) const override { return {}; }
  StepResult run(const nlohmann::json& args, StepContext& ctx) override {
    log_.calls.push_back({{"module", "fake.items"}, {"args", args}, {"check_mode", ctx.check_mode}, {"step", ctx.step_name}});
    auto make = [](const nlohmann::json& j) {
      ItemResult item;
      item.kind = j.value("kind", std::string("port"));
      item.id = j.at("id").get<std::string>();
      item.status = j.value("status", std::string("ok"));
      item.message = j.value("message", std::string());
      if (j.contains("hosts")) item.hosts = j["hosts"].get<std::vector<std::string>>();
      return item;
    };
    if (args.value("batch", false)) {
      std::vector<ItemResult> batch;
      for (const auto& j : args.value("items", nlohmann::json::array())) batch.push_back(make(j));
      ctx.sink.record_all(batch);
    } else {
      for (const auto& j : args.value("items", nlohmann::json::array())) ctx.sink.record(make(j));
    }
    if (args.contains("by_call")) {   // one port whose status changes from call to call
      const int n = ++log_.counters[args.value("key", std::string("k"))];
      const auto& statuses = args["by_call"];
      const auto index = std::min<std::size_t>(static_cast<std::size_t>(n - 1), statuses.size() - 1);
      ctx.sink.record(make({{"id", args["id"]}, {"status", statuses[index]}}));
    }
    StepResult r;
    for (const auto& j : args.value("returned", nlohmann::json::array())) r.items.push_back(make(j));
    return r;
  }

 private:
  FakeLog& log_;
};

// fake.slow: sleeps args.ms without looking at its deadline (to test the engine's overrun check).
class SlowModule final : public Module {
 public:
  std::string_view name() const override { return "fake.slow"; }
  Result<void> validate(const nlohmann::json&, const ValidationContext&) const override { return {}; }
  StepResult run(const nlohmann::json& args, StepContext&) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(args.value("ms", 10)));
    return {};
  }
};

// fake.throws: throws, to show a module's exception fails its step only.
class ThrowsModule final : public Module {
 public:
  std::string_view name() const override { return "fake.throws"; }
  Result<void> validate(const nlohmann::json&, const ValidationContext&) const override { return {}; }
  StepResult run(const nlohmann::json&, StepContext&) override { throw std::runtime_error("boom"); }
};

ModuleRegistry fake_registry(FakeLog& log);   // the fakes plus the real wait and assert

// Everything the engine said, in order.
struct RecordingObserver final : RunObserver {
  std::vector<std::string> events;   // "run", "start NAME", "item NAME ID STATUS aN", "end NAME STATUS", "done passed|failed"
  std::map<std::string, StepOutcome> outcomes;
  RunOutcome final;
  void run_started(const RunHeader&) override { events.push_back("run"); }
  void step_started(const Step& s, std::int64_t) override { events.push_back("start " + s.name); }
  void item(const Step& s, int iteration, int attempt, const ItemResult& i) override {
    events.push_back("item " + s.name + " " + i.id + " " + i.status + " i" + std::to_string(iteration) + " a" + std::to_string(attempt));
  }
  void step_finished(const Step& s, const StepOutcome& o) override {
    events.push_back("end " + s.name + " " + std::string(to_string(o.status)));
    outcomes[s.name] = o;
  }
  void run_finished(const RunOutcome& o) override {
    events.push_back(std::string("done ") + (o.passed ? "passed" : "failed"));
    final = o;
  }
};

Inventory two_host_inventory();

// Parses + validates a playbook text against the fakes, runs it, and returns what happened.
struct Ran {
  RunOutcome outcome;
  RecordingObserver seen;
  FakeLog log;
};
// `base_dir`: the folder the playbook is read from (its `playbook_dir`); empty: parsed from text.
std::unique_ptr<Ran> run_playbook(const std::string& yaml, RunOptions options = {}, const std::string& base_dir = "");

}  // namespace mixnet::coord::testing
