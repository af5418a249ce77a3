// Telling a real Slurm (docs/health/slurm.md), through the policy itself: a SlurmCluster
// (tests/integration/slurm_cluster.hpp: munged, slurmctld on private ports, a slurmd per node) on
// namespaces of this test's own: the controller on a bridge, each node in its own namespace with
// its own address from 198.18.0.0/15, named mxt-<pid>-<n> and removed on every exit path.
// Needs root and Debian's slurmctld, slurmd, slurm-client and munge packages.
//
// One Slurm for the whole story, night by night: drain with our reason (scontrol and sinfo -R
// show it), a node drained by hand before the run is never touched, a dry run prints the
// commands and changes nothing, a pass resumes what we drained, and a node whose reason someone
// changed is left drained. The whole loop through `mixnet-coord health` on a lab is
// test_slurm_lab.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <type_traits>

#include "coordinator/scheduler/drain_policy.hpp"
#include "coordinator/scheduler/slurm_scheduler.hpp"
#include "coordinator/store/drain_records.hpp"
#include "coordinator/store/store.hpp"
#include "tests/integration/slurm_cluster.hpp"
#include "tests/support/netns.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::scheduler;
using namespace std::chrono_literals;

namespace {

// Namespaces for a controller on a bridge (198.18.250.1) and `nodes` nodes n1.. on it.
mixnet::testing::SlurmClusterSpec private_network(mixnet::testing::NetnsFixture& net, int nodes) {
  mixnet::testing::SlurmClusterSpec spec;
  spec.controller_netns = net.add_namespace();
  spec.controller_address = "198.18.250.1";
  net.ip(spec.controller_netns, "link add br0 type bridge");
  net.ip(spec.controller_netns, "addr add 198.18.250.1/24 dev br0");
  net.ip(spec.controller_netns, "link set br0 up");
  for (int i = 1; i <= nodes; ++i) {
    const auto ns = net.add_namespace();
    const auto i_s = std::to_string(i);
    net.add_veth(spec.controller_netns, "sl" + i_s, ns, "eth0");
    net.ip(spec.controller_netns, "link set sl" + i_s + " master br0");
    const auto address = "198.18.250." + std::to_string(10 + i);
    net.ip(ns, "addr add " + address + "/24 dev eth0");
    spec.nodes.push_back({.name = "n" + i_s, .netns = ns, .address = address});
  }
  return spec;
}

// The cluster, and SlurmScheduler calls made from the controller's namespace (the only place
// that reaches it on this private network).
class SlurmLab {
 public:
  static constexpr int kNodes = 3;

  SlurmLab() : cluster_(private_network(net_, kNodes)), ctl_ns_(net_.namespaces().front()) {}

  [[nodiscard]] std::string conf() const { return cluster_.conf(); }
  [[nodiscard]] std::string db() const { return cluster_.dir() + "/results.db"; }

  SlurmScheduler slurm() const { return SlurmScheduler(SlurmOptions{.scontrol = "scontrol", .slurm_conf = conf(), .timeout = 20s}); }

  // Runs fn where scontrol reaches the controller.
  template <class F>
  auto in_ctl(F&& fn) -> std::invoke_result_t<F&> {
    return net_.run_in(ctl_ns_, std::forward<F>(fn));
  }

  std::string admin(const std::vector<std::string>& argv) { return cluster_.admin(argv); }
  std::string sinfo_reasons() { return cluster_.sinfo_reasons(); }

 private:
  mixnet::testing::NetnsFixture net_;
  mixnet::testing::SlurmCluster cluster_;
  std::string ctl_ns_;
};

health::Blame blame(const std::string& host, const std::string& reason) {
  health::Blame b;
  b.severity = health::Severity::critical;
  b.kind = health::PartKind::port;
  b.part = host + ":ocs0";
  b.hosts = {host};
  b.reason = reason;
  return b;
}

std::string all_of(const std::vector<SchedulerAction>& actions) {
  std::string out;
  for (const auto& a : actions) out += describe(a) + "\n";
  return out;
}

const SchedulerAction& only_action_for(const std::vector<SchedulerAction>& actions, const std::string& host) {
  const SchedulerAction* found = nullptr;
  for (const auto& a : actions) {
    if (a.host != host) continue;
    if (found != nullptr) throw std::runtime_error("two actions for " + host);
    found = &a;
  }
  if (found == nullptr) throw std::runtime_error("no action for " + host);
  return *found;
}

}  // namespace

TEST_CASE("a real Slurm: drain with our reason, never touch an admin's drain, dry run, resume, changed reason left alone") {
  SlurmLab lab;
  auto store = ResultsStore::open(lab.db());
  REQUIRE(store.has_value());
  auto records = DrainRecords::open((*store)->handle());
  REQUIRE(records.has_value());
  SchedulerConfig config;
  config.nodes = {{"h1", "n1"}, {"h2", "n2"}, {"h3", "n3"}};
  config.slurm_conf = lab.conf();
  const std::string h1_reason = "h1:ocs0 failed with 2 partners (3.1 Gb/s < 9.0)";

  // Before the run an administrator drains n2 by hand.
  lab.admin({"scontrol", "update", "NodeName=n2", "State=DRAIN", "Reason=admin: replacing PSU"});

  // Night 1: h1 and h2 blamed critical, h3 passes.
  auto night1 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    return apply_scheduler({blame("h1", h1_reason), blame("h2", "h2 unreachable")}, {"h3"}, config, *records, slurm, "night-1", 1);
  });
  REQUIRE(night1.has_value());
  INFO(all_of(*night1));
  CHECK(only_action_for(*night1, "h1").status == ActionStatus::done);
  CHECK(only_action_for(*night1, "h2").status == ActionStatus::skipped);
  CHECK(night1->size() == 2);
  auto n1 = lab.in_ctl([&] { return lab.slurm().show("n1"); });
  REQUIRE(n1.has_value());
  CHECK(n1->drained());
  CHECK(n1->reason == "mixnet: " + h1_reason);
  CHECK(n1->reason_user == "root");
  const auto reasons = lab.sinfo_reasons();
  INFO(reasons);
  CHECK(reasons.find("n1|mixnet: " + h1_reason + "|root") != std::string::npos);
  CHECK(reasons.find("n2|admin: replacing PSU|root") != std::string::npos);
  CHECK(reasons.find("n3|") == std::string::npos);
  auto recorded = records->open_drain("slurm", "n1");
  REQUIRE(recorded.has_value());
  REQUIRE(recorded->has_value());
  CHECK((*recorded)->reason == "mixnet: " + h1_reason);
  CHECK((*recorded)->set_by == "root");
  CHECK((*recorded)->set_at == n1->reason_time);
  CHECK_FALSE(records->open_drain("slurm", "n2")->has_value());

  // Night 2, a dry run: h3 blamed, h1 passes. The commands are printed; nothing changes.
  std::vector<std::string> printed;
  auto night2 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    DryRunScheduler dry(slurm);
    auto actions = apply_scheduler({blame("h3", "h3:ocs1 dark")}, {"h1", "h2"}, config, *records, dry, "night-2", 2);
    printed = dry.printed();
    return actions;
  });
  REQUIRE(night2.has_value());
  CHECK(only_action_for(*night2, "h3").status == ActionStatus::printed);
  CHECK(only_action_for(*night2, "h1").status == ActionStatus::printed);
  CHECK(printed == std::vector<std::string>{"SLURM_CONF=" + lab.conf() + " scontrol update NodeName=n3 State=DRAIN 'Reason=mixnet: h3:ocs1 dark'",
                                            "SLURM_CONF=" + lab.conf() + " scontrol update NodeName=n1 State=RESUME"});
  CHECK(only_action_for(*night2, "h3").command == printed[0]);   // each action carries its own command
  CHECK(lab.sinfo_reasons() == reasons);
  CHECK(records->open_drain("slurm", "n1")->has_value());

  // Night 3: everyone passes. n1 (ours) is resumed; n2 (the admin's) stays drained.
  auto night3 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    return apply_scheduler({}, {"h1", "h2", "h3"}, config, *records, slurm, "night-3", 3);
  });
  REQUIRE(night3.has_value());
  REQUIRE(night3->size() == 1);
  CHECK(only_action_for(*night3, "h1").status == ActionStatus::done);
  CHECK(only_action_for(*night3, "h1").verb == Verb::resume);
  auto n1_after = lab.in_ctl([&] { return lab.slurm().show("n1"); });
  REQUIRE(n1_after.has_value());
  CHECK_FALSE(n1_after->drained());
  auto n2_after = lab.in_ctl([&] { return lab.slurm().show("n2"); });
  REQUIRE(n2_after.has_value());
  CHECK(n2_after->drained());
  CHECK(n2_after->reason == "admin: replacing PSU");
  CHECK(records->history("slurm", "n1")->front().closed_how == "resumed");

  // Night 4: h3 blamed and drained; then someone edits its reason. Night 5: h3 passes but the
  // node is no longer ours to resume.
  auto night4 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    return apply_scheduler({blame("h3", "h3:ocs1 dark")}, {"h1"}, config, *records, slurm, "night-4", 4);
  });
  REQUIRE(night4.has_value());
  CHECK(only_action_for(*night4, "h3").status == ActionStatus::done);
  lab.admin({"scontrol", "update", "NodeName=n3", "State=DRAIN", "Reason=mixnet: h3:ocs1 dark -- bob: optics ordered"});
  auto night5 = lab.in_ctl([&] {
    auto slurm = lab.slurm();
    return apply_scheduler({}, {"h1", "h2", "h3"}, config, *records, slurm, "night-5", 5);
  });
  REQUIRE(night5.has_value());
  const auto& h3 = only_action_for(*night5, "h3");
  CHECK(h3.status == ActionStatus::skipped);
  CHECK(h3.why.find("reason changed") != std::string::npos);
  auto n3 = lab.in_ctl([&] { return lab.slurm().show("n3"); });
  REQUIRE(n3.has_value());
  CHECK(n3->drained());
  CHECK(n3->reason == "mixnet: h3:ocs1 dark -- bob: optics ordered");
  CHECK(records->history("slurm", "n3")->front().closed_how == "reason_changed");
  CHECK(lab.in_ctl([&] { return lab.slurm().show("n2"); })->drained());
}
