// The drain policy (coordinator/scheduler/drain_policy.hpp) against a fake scheduler that keeps
// node states the way Slurm does, and drain records in an in-memory SQLite database: drain what
// is blamed critical, resume only what we drained and that now passes, never a node drained by
// someone else or whose reason was changed, nothing for unjudged hosts, nothing changed in a dry run.
#include <catch2/catch.hpp>

#include <map>
#include <memory>

#include "coordinator/scheduler/drain_policy.hpp"
#include "tests/coordinator/support/memory_db.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::scheduler;

using mixnet::coord::testing::MemoryDb;

namespace {

// Slurm in miniature: nodes with flags and a reason stamped with a user and a time.
class FakeScheduler final : public Scheduler {
 public:
  explicit FakeScheduler(bool dry = false) : dry_(dry) {}
  [[nodiscard]] std::string_view kind() const override { return "slurm"; }
  [[nodiscard]] bool dry_run() const override { return dry_; }
  Result<NodeState> show(const std::string& node) override {
    ++shows;
    if (unreachable) return fail(Errc::unavailable, "node " + node + ": scontrol show node -o " + node + ": Unable to contact slurm controller");
    const auto it = nodes.find(node);
    if (it == nodes.end()) return fail(Errc::not_found, "node " + node + ": Node " + node + " not found");
    return it->second;
  }
  Result<void> drain(const std::string& node, const std::string& reason) override {
    calls.push_back("drain " + node + " " + reason);
    if (dry_) return {};
    set_drained(node, reason, "root");
    return {};
  }
  Result<void> resume(const std::string& node) override {
    calls.push_back("resume " + node);
    if (dry_) return {};
    auto& st = nodes.at(node);
    st.flags = {"IDLE"};
    st.state = "IDLE";
    st.reason.clear();
    st.reason_user.clear();
    st.reason_time.clear();
    return {};
  }

  void add_node(const std::string& node) { nodes[node] = NodeState{node, "IDLE", {"IDLE"}, "", "", ""}; }
  // What an administrator's `scontrol update State=DRAIN Reason=...` does.
  void set_drained(const std::string& node, const std::string& reason, const std::string& user) {
    auto& st = nodes.at(node);
    st.flags = {"IDLE", "DRAIN"};
    st.state = "IDLE+DRAIN";
    st.reason = reason;
    st.reason_user = user;
    st.reason_time = "2026-12-06T20:0" + std::to_string(++clock_) + ":00";
  }

  std::map<std::string, NodeState> nodes;
  std::vector<std::string> calls;
  int shows = 0;
  bool unreachable = false;

 private:
  bool dry_;
  int clock_ = 0;
};

health::Blame host_blame(const std::string& host, const std::string& reason,
                         health::Severity severity = health::Severity::critical) {
  health::Blame b;
  b.severity = severity;
  b.kind = health::PartKind::port;
  b.part = host + ":ocs1";
  b.hosts = {host};
  b.reason = reason;
  return b;
}

SchedulerConfig config_for(std::initializer_list<std::pair<const std::string, std::string>> nodes) {
  SchedulerConfig c;
  c.nodes = nodes;
  return c;
}

const SchedulerAction* action_for(const std::vector<SchedulerAction>& actions, const std::string& host) {
  for (const auto& a : actions) {
    if (a.host == host) return &a;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a host blamed critical is drained with the mixnet reason, and the drain is recorded") {
  MemoryDb mem;
  auto records = DrainRecords::open(mem.db);
  REQUIRE(records.has_value());
  FakeScheduler slurm;
  slurm.add_node("node-a");
  slurm.add_node("node-c");
  const auto config = config_for({{"h1", "node-a"}, {"h3", "node-c"}});

  auto actions = apply_scheduler({host_blame("h3", "h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)")}, {"h1"}, config,
                                 *records, slurm, "run-1", 1000);
  REQUIRE(actions.has_value());
  REQUIRE(actions->size() == 1);
  const auto& a = actions->front();
  CHECK(a.host == "h3");
  CHECK(a.node == "node-c");
  CHECK(a.verb == Verb::drain);
  CHECK(a.status == ActionStatus::done);
  CHECK(a.reason == "mixnet: h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)");
  CHECK(a.command == "scontrol update NodeName=node-c State=DRAIN 'Reason=mixnet: h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)'");
  CHECK(slurm.nodes["node-c"].drained());
  CHECK(slurm.nodes["node-c"].reason == a.reason);
  CHECK_FALSE(slurm.nodes["node-a"].drained());

  auto open = records->open_drain("slurm", "node-c");
  REQUIRE(open.has_value());
  REQUIRE(open->has_value());
  CHECK((*open)->host == "h3");
  CHECK((*open)->reason == a.reason);
  CHECK((*open)->set_by == "root");
  CHECK((*open)->set_at == slurm.nodes["node-c"].reason_time);
  CHECK((*open)->drained_run == "run-1");
  CHECK((*open)->drained_ns == 1000);
}

TEST_CASE("a host we drained is kept while it fails and resumed once it passes") {
  MemoryDb mem;
  auto records = DrainRecords::open(mem.db);
  REQUIRE(records.has_value());
  FakeScheduler slurm;
  slurm.add_node("node-c");
  const auto config = config_for({{"h3", "node-c"}});
  const auto blame = host_blame("h3", "h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)");
  REQUIRE(apply_scheduler({blame}, {}, config, *records, slurm, "run-1", 1).has_value());

  // Night two: still failing. Nothing is sent, the node stays ours.
  slurm.calls.clear();
  auto second = apply_scheduler({blame}, {}, config, *records, slurm, "run-2", 2);
  REQUIRE(second.has_value());
  REQUIRE(second->size() == 1);
  CHECK(second->front().status == ActionStatus::kept);
  CHECK(slurm.calls.empty());

  // Night three: passes. Resumed, and the record says so.
  auto third = apply_scheduler({}, {"h3"}, config, *records, slurm, "run-3", 3);
  REQUIRE(third.has_value());
  REQUIRE(third->size() == 1);
  CHECK(third->front().verb == Verb::resume);
  CHECK(third->front().status == ActionStatus::done);
  CHECK(third->front().command == "scontrol update NodeName=node-c State=RESUME");
  CHECK(slurm.calls == std::vector<std::string>{"resume node-c"});
  CHECK_FALSE(slurm.nodes["node-c"].drained());
  auto history = records->history("slurm", "node-c");
  REQUIRE(history.has_value());
  REQUIRE(history->size() == 1);
  CHECK(history->front().closed_how == "resumed");
  CHECK(history->front().closed_run == "run-3");
  CHECK(history->front().closed_ns == 3);

  // Night four: passes again. Not ours any more: nothing to do, nothing sent.
  slurm.calls.clear();
  auto fourth = apply_scheduler({}, {"h3"}, config, *records, slurm, "run-4", 4);
  REQUIRE(fourth.has_value());
  CHECK(fourth->empty());
  CHECK(slurm.calls.empty());
}

TEST_CASE("a node drained by someone else is never drained over nor resumed") {
  MemoryDb mem;
  auto records = DrainRecords::open(mem.db);
  REQUIRE(records.has_value());
  FakeScheduler slurm;
  slurm.add_node("node-b");
  slurm.set_drained("node-b", "replacing PSU", "alice");
  const auto config = config_for({{"h2", "node-b"}});

  // Blamed while an administrator holds it: left alone, their reason kept.
  auto blamed = apply_scheduler({host_blame("h2", "h2 unreachable")}, {}, config, *records, slurm, "run-1", 1);
  REQUIRE(blamed.has_value());
  REQUIRE(blamed->size() == 1);
  CHECK(blamed->front().status == ActionStatus::skipped);
  CHECK(blamed->front().why.find("alice") != std::string::npos);
  CHECK(blamed->front().why.find("replacing PSU") != std::string::npos);
  CHECK(slurm.nodes["node-b"].reason == "replacing PSU");

  // Passing: no record of ours, so no resume.
  auto passed = apply_scheduler({}, {"h2"}, config, *records, slurm, "run-2", 2);
  REQUIRE(passed.has_value());
  CHECK(passed->empty());
  CHECK(slurm.calls.empty());
  CHECK(slurm.nodes["node-b"].drained());
  auto open = records->open_drains("slurm");
  REQUIRE(open.has_value());
  CHECK(open->empty());
}

TEST_CASE("a node whose reason someone changed after we drained it is left drained, for good") {
  MemoryDb mem;
  auto records = DrainRecords::open(mem.db);
  REQUIRE(records.has_value());
  FakeScheduler slurm;
  slurm.add_node("node-c");
  const auto config = config_for({{"h3", "node-c"}});
  REQUIRE(apply_scheduler({host_blame("h3", "h3:ocs1 dark")}, {}, config, *records, slurm, "run-1", 1).has_value());
  slurm.set_drained("node-c", "mixnet: h3:ocs1 dark -- bob: optics ordered", "bob");

  slurm.calls.clear();
  auto passed = apply_scheduler({}, {"h3"}, config, *records, slurm, "run-2", 2);
  REQUIRE(passed.has_value());
  REQUIRE(passed->size() == 1);
  CHECK(passed->front().verb == Verb::resume);
  CHECK(passed->front().status == ActionStatus::skipped);
  CHECK(passed->front().why.find("reason changed") != std::string::npos);
  CHECK(passed->front().why.find("bob") != std::string::npos);
  CHECK(slurm.calls.empty());
  CHECK(slurm.nodes["node-c"].drained());
  auto history = records->history("slurm", "node-c");
  REQUIRE(history.has_value());
  REQUIRE(history->size() == 1);
  CHECK(history->front().closed_how == "reason_changed");

  // Later nights never come back to it.
  auto later = apply_scheduler({}, {"h3"}, config, *records, slurm, "run-3", 3);
  REQUIRE(later.has_value());
  CHECK(later->empty());
  CHECK(slurm.calls.empty());
}

TEST_CASE("a node we drained that someone resumed by hand is not drained again until it fails again") {
  MemoryDb mem;
  auto records = DrainRecords::open(mem.db);
  REQUIRE(records.has_value());
  FakeScheduler slurm;
  slurm.add_node("node-c");
  const auto config = config_for({{"h3", "node-c"}});
  REQUIRE(apply_scheduler({host_blame("h3", "h3:ocs1 dark")}, {}, config, *records, slurm, "run-1", 1).has_value());
  REQUIRE(slurm.resume("node-c").has_value());   // an administrator's resume
  slurm.calls.clear();

  auto passed = apply_scheduler({}, {"h3"}, config, *records, slurm, "run-2", 2);
  REQUIRE(passed.has_value());
  REQUIRE(passed->size() == 1);
  CHECK(passed->front().status == ActionStatus::skipped);
  CHECK(slurm.calls.empty());
  auto history = records->history("slurm", "node-c");
  REQUIRE(history.has_value());
  CHECK(history->front().closed_how == "resumed_by_other");
}

TEST_CASE("a host not judged this run is neither drained nor resumed") {
  MemoryDb mem;
  auto records = DrainRecords::open(mem.db);
  REQUIRE(records.has_value());
  FakeScheduler slurm;
  slurm.add_node("node-c");
  slurm.add_node("node-d");
  const auto config = config_for({{"h3", "node-c"}, {"h4", "node-d"}});
  REQUIRE(apply_scheduler({host_blame("h3", "h3:ocs1 dark")}, {}, config, *records, slurm, "run-1", 1).has_value());
  slurm.calls.clear();

  // h3 (ours, drained) and h4 not judged: h3 is kept, h4 untouched; a warning is not a drain.
  auto actions = apply_scheduler({host_blame("h4", "h4:ocs0 one new symbol error", health::Severity::warning)}, {}, config,
                                 *records, slurm, "run-2", 2);
  REQUIRE(actions.has_value());
  REQUIRE(actions->size() == 1);
  CHECK(actions->front().host == "h3");
  CHECK(actions->front().status == ActionStatus::kept);
  CHECK(slurm.calls.empty());
  CHECK(slurm.nodes["node-c"].drained());
  CHECK_FALSE(slurm.nodes["node-d"].drained());
}

TEST_CASE("a dry run prints the commands and changes neither the scheduler nor the records") {
  MemoryDb mem;
  auto records = DrainRecords::open(mem.db);
  REQUIRE(records.has_value());
  FakeScheduler dry(true);
  dry.add_node("node-c");
  const auto config = config_for({{"h3", "node-c"}});
  auto actions = apply_scheduler({host_blame("h3", "h3:ocs1 dark")}, {}, config, *records, dry, "run-1", 1);
  REQUIRE(actions.has_value());
  REQUIRE(actions->size() == 1);
  CHECK(actions->front().status == ActionStatus::printed);
  CHECK(actions->front().command == "scontrol update NodeName=node-c State=DRAIN 'Reason=mixnet: h3:ocs1 dark'");
  // What the run's outputs show: the command a person can paste, nothing else to decode.
  CHECK(describe(actions->front()) ==
        "h3 (node-c): drain printed: dry-run: scontrol update NodeName=node-c State=DRAIN 'Reason=mixnet: h3:ocs1 dark'");
  CHECK(dry.calls == std::vector<std::string>{"drain node-c mixnet: h3:ocs1 dark"});
  CHECK_FALSE(dry.nodes["node-c"].drained());
  auto open = records->open_drains("slurm");
  REQUIRE(open.has_value());
  CHECK(open->empty());
}

TEST_CASE("an unmapped host is listed, a scheduler error is a failed action, not a failed run") {
  MemoryDb mem;
  auto records = DrainRecords::open(mem.db);
  REQUIRE(records.has_value());
  FakeScheduler slurm;
  slurm.add_node("node-a");
  const auto config = config_for({{"h1", "node-a"}, {"h2", "node-missing"}});
  auto actions = apply_scheduler({host_blame("h1", "h1 unreachable"), host_blame("h2", "h2:ocs0 dark"), host_blame("h9", "h9:ocs0 dark")},
                                 {}, config, *records, slurm, "run-1", 1);
  REQUIRE(actions.has_value());
  REQUIRE(actions->size() == 3);
  CHECK(action_for(*actions, "h1")->status == ActionStatus::done);
  const auto* missing = action_for(*actions, "h2");
  CHECK(missing->status == ActionStatus::failed);
  REQUIRE(missing->error.has_value());
  CHECK(missing->error->code == Errc::not_found);
  CHECK(action_for(*actions, "h9")->status == ActionStatus::skipped);
  CHECK(action_for(*actions, "h9")->node.empty());

  slurm.unreachable = true;
  auto down = apply_scheduler({}, {"h1"}, config, *records, slurm, "run-2", 2);
  REQUIRE(down.has_value());
  REQUIRE(down->size() == 1);
  CHECK(down->front().status == ActionStatus::failed);
  CHECK(down->front().error->code == Errc::unavailable);
  // The drain stays open for the next night.
  auto open = records->open_drain("slurm", "node-a");
  REQUIRE(open.has_value());
  CHECK(open->has_value());
}

TEST_CASE("drain reasons: critical blames only, one per host, with the count of the others") {
  auto reasons = drain_reasons({host_blame("h3", "h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)"),
                                host_blame("h3", "h3:ocs0 dark"),
                                host_blame("h4", "h4:ocs0 warm", health::Severity::warning),
                                host_blame("h5", "line one\nline two")});
  REQUIRE(reasons.size() == 2);
  CHECK(reasons["h3"] == "mixnet: (+1 more) h3:ocs1 failed with 2 partners (3.1 Gb/s < 9.0)");
  CHECK(reasons["h5"] == "mixnet: line one line two");
  auto longer = drain_reasons({host_blame("h6", std::string(1000, 'x'))});
  CHECK(longer["h6"].size() == 240);
  CHECK(longer["h6"].ends_with("..."));
}

TEST_CASE("without a scheduler the run lists what it would drain") {
  auto listed = list_would_drain({host_blame("h3", "h3:ocs1 dark"), host_blame("h4", "h4 warm", health::Severity::warning)});
  REQUIRE(listed.size() == 1);
  CHECK(listed.front().host == "h3");
  CHECK(listed.front().status == ActionStatus::listed);
  CHECK(listed.front().reason == "mixnet: h3:ocs1 dark");
  CHECK(describe(listed.front()).find("would be drained") != std::string::npos);
}
