// The inventory's optional `scheduler:` section (coordinator/model/scheduler_config.hpp): read
// when present, absent otherwise, and every mistake named by line and key path.
#include <catch2/catch.hpp>

#include "coordinator/model/inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

std::string inventory_with(const std::string& scheduler) {
  return R"(version: 1
hosts:
  - name: h1
    agent: {url: "http://198.18.0.1:7070"}
  - name: h2
    agent: {url: "http://198.18.0.2:7070"}
)" + scheduler;
}

}  // namespace

TEST_CASE("no scheduler section: no scheduler") {
  auto inv = parse_inventory(inventory_with(""), "inv.yaml", "");
  REQUIRE(inv.has_value());
  CHECK_FALSE(inv->scheduler.has_value());
}

TEST_CASE("a Slurm scheduler with a node per host") {
  auto inv = parse_inventory(inventory_with(R"(scheduler:
  kind: slurm
  nodes: {h1: gpu-a01, h2: gpu-a02}
  dry_run: true
  slurm_conf: /etc/slurm/test.conf
  scontrol: /opt/slurm/bin/scontrol
  timeout_s: 5
)"), "inv.yaml", "");
  REQUIRE(inv.has_value());
  REQUIRE(inv->scheduler.has_value());
  const auto& s = *inv->scheduler;
  CHECK(s.kind == "slurm");
  CHECK(s.nodes.size() == 2);
  REQUIRE(s.node_of("h1") != nullptr);
  CHECK(*s.node_of("h1") == "gpu-a01");
  CHECK(s.node_of("h9") == nullptr);
  CHECK(s.dry_run);
  CHECK(s.slurm_conf == "/etc/slurm/test.conf");
  CHECK(s.scontrol == "/opt/slurm/bin/scontrol");
  CHECK(s.timeout_s == 5);
  CHECK(s.line == 7);
}

TEST_CASE("defaults: not a dry run, scontrol from PATH, Slurm's own configuration") {
  auto inv = parse_inventory(inventory_with("scheduler: {kind: slurm, nodes: {h1: n1}}\n"), "inv.yaml", "");
  REQUIRE(inv.has_value());
  REQUIRE(inv->scheduler.has_value());
  CHECK_FALSE(inv->scheduler->dry_run);
  CHECK(inv->scheduler->scontrol == "scontrol");
  CHECK(inv->scheduler->slurm_conf.empty());
  CHECK(inv->scheduler->timeout_s == 20);
}

TEST_CASE("scheduler mistakes name the line and the key") {
  struct Case {
    std::string text;
    std::string field;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"scheduler: {nodes: {h1: n1}}\n", "scheduler.kind", "required"},
      {"scheduler: {kind: pbs, nodes: {h1: n1}}\n", "scheduler.kind", "'pbs' is not a scheduler kind"},
      {"scheduler: {kind: slurm}\n", "scheduler.nodes", "required"},
      {"scheduler: {kind: slurm, nodes: [h1]}\n", "scheduler.nodes", ""},
      {"scheduler: {kind: slurm, nodes: {h9: n9}}\n", "scheduler.nodes.h9", "no host 'h9'"},
      {"scheduler: {kind: slurm, nodes: {h1: \"n[1-4]\"}}\n", "scheduler.nodes.h1", "no hostlists"},
      {"scheduler: {kind: slurm, nodes: {h1: n1, h2: n1}}\n", "scheduler.nodes.h2", "already the node of host h1"},
      {"scheduler: {kind: slurm, nodes: {h1: n1}, dry_run: maybe}\n", "scheduler.dry_run", ""},
      {"scheduler: {kind: slurm, nodes: {h1: n1}, timeout_s: 0}\n", "scheduler.timeout_s", "outside 1..600"},
      {"scheduler: {kind: slurm, nodes: {h1: n1}, drain: yes}\n", "scheduler.drain", "unknown key"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto inv = parse_inventory(inventory_with(c.text), "inv.yaml", "");
    REQUIRE_FALSE(inv.has_value());
    CHECK(inv.error().code == Errc::invalid_argument);
    CHECK(inv.error().field == c.field);
    CHECK(inv.error().message.find("inv.yaml:7") != std::string::npos);
    CHECK(inv.error().message.find(c.says) != std::string::npos);
  }
}
