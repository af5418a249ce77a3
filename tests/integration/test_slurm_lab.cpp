// The whole scheduler loop on the lab (docs/health/slurm.md): a default mixnet-lab, a real Slurm
// with one node per lab host, and `mixnet-coord health` as users run it, two nights in a row.
//
// The Slurm is laid out as on a cluster: each lab host's slurmd runs in the host's namespace on
// its management address; slurmctld runs in a namespace of its own plugged into the lab's
// management bridge, where the coordinator (root namespace) reaches it the way it reaches the
// agents. Nodes are named gpu-h1..gpu-h4, not h1..h4, so the inventory's mapping is what joins a
// blamed host to its node.
//
//  before night 1: faults on h3 (a capped port) and h4 (a dark port); an administrator drained
//                  gpu-h2 (healthy) and gpu-h4 (about to be blamed) by hand, with their reasons.
//  night 1:        gpu-h3 drained with our reason; gpu-h4 keeps the administrator's reason (never
//                  drained over); gpu-h2 untouched; gpu-h1 in service.
//  fault clear; a dry run: the resume of gpu-h3 printed as a command to paste, nothing changed.
//  night 2:        every host passes: gpu-h3 resumed; gpu-h2 and gpu-h4 stay drained with
//                  the administrator's reasons (we never resume a drain that is not ours).
// Needs root, the lab's programs, and the slurm packages of scripts/install-deps.sh.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "coordinator/store/drain_records.hpp"
#include "coordinator/store/store.hpp"
#include "tests/integration/coord_lab/coord_runner.hpp"
#include "tests/integration/slurm_cluster.hpp"
#include "tests/support/netns.hpp"
#include "tests/tools/lab/lab_harness.hpp"

using namespace mixnet;
using namespace mixnet::testing;

namespace {

const std::vector<std::string> kHosts = {"h1", "h2", "h3", "h4"};

std::string node_of(const std::string& host) { return "gpu-" + host; }

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A namespace for slurmctld on the lab's management bridge (198.19.X.250, above every host's
// 198.19.X.(9+I)), and a slurmd per lab host on the host's management address.
SlurmClusterSpec slurm_on_lab(NetnsFixture& net, const LabUnderTest& lab) {
  const std::string mgmt_ns = "mxl-" + lab.name() + "-mgmt";
  const std::string& h1 = lab.inventory().host("h1").agent_host;
  const std::string subnet = h1.substr(0, h1.rfind('.'));
  SlurmClusterSpec spec;
  spec.controller_netns = net.add_namespace();
  spec.controller_address = subnet + ".250";
  net.add_veth(spec.controller_netns, "eth0", mgmt_ns, "slurmctl");
  net.ip(mgmt_ns, "link set slurmctl master br0");
  net.ip(spec.controller_netns, "addr add " + spec.controller_address + "/24 dev eth0");
  for (const auto& host : kHosts) {
    const auto& h = lab.inventory().host(host);
    spec.nodes.push_back({.name = node_of(host), .netns = h.netns, .address = h.agent_host});
  }
  return spec;
}

// The lab's inventory with a `scheduler:` section naming this Slurm, written into the scratch
// folder (its token files made absolute: relative ones are read beside the inventory).
std::string inventory_with_slurm(const LabUnderTest& lab, const SlurmCluster& slurm, const CoordScratch& scratch) {
  std::string text = read_text(lab.dir() + "/inventory.yaml");
  const std::string relative = "token_file: token\n";
  const std::string absolute = "token_file: " + lab.dir() + "/token\n";
  std::size_t replaced = 0;
  for (auto at = text.find(relative); at != std::string::npos; at = text.find(relative, at + absolute.size())) {
    text.replace(at, relative.size(), absolute);
    ++replaced;
  }
  if (replaced == 0) throw std::runtime_error("the lab's inventory names no token file:\n" + text);
  text += "scheduler:\n  kind: slurm\n  nodes: {";
  for (const auto& host : kHosts) text += host + ": " + node_of(host) + (host == kHosts.back() ? "}\n" : ", ");
  text += "  slurm_conf: " + slurm.conf() + "\n  timeout_s: 20\n";
  const std::string path = scratch.dir() + "/inventory-slurm.yaml";
  std::ofstream(path) << text;
  return path;
}

struct Night {
  int exit_code = -1;
  std::string output;
  nlohmann::json health;      // health.json
  std::string scheduler;      // the health.report step's scheduler notes, one line each
};

Night run_night(const CoordScratch& scratch, const std::string& inventory, const std::string& name, const std::string& extra = "") {
  ::setenv("MIXNET_LEASE_DIR", (scratch.dir() + "/leases").c_str(), 1);   // as CoordScratch::run
  const std::string out = scratch.dir() + "/" + name;
  const auto ran = scratch.command("health -i " + inventory + " --db " + scratch.db() + " --out " + out + " --test-seconds 1 " + extra);
  Night n{.exit_code = ran.exit_code, .output = ran.output};
  if (std::ifstream in(out + "/health.json"); in) n.health = nlohmann::json::parse(in);
  if (std::ifstream in(out + "/results.json"); in) {
    const auto results = nlohmann::json::parse(in);
    for (const auto& step : results.at("steps")) {
      if (step.at("module") != "health.report") continue;
      for (const auto& o : step.at("result").at("data").at("outputs")) {
        if (o.value("what", "") == "scheduler") n.scheduler += o.value("note", "") + "\n";
      }
    }
  }
  return n;
}

// part -> "kind severity" of every blame.
std::map<std::string, std::string> blames_of(const Night& n) {
  std::map<std::string, std::string> out;
  for (const auto& b : n.health.at("blames")) {
    out[b.at("part").get<std::string>()] = b.at("kind").get<std::string>() + " " + b.at("severity").get<std::string>();
  }
  return out;
}

}  // namespace

TEST_CASE("slurm lab: a blamed host is drained with our reason and resumed once it passes, drains made by hand stay",
          "[slurm][lab][health]") {
  // Agents without the carrier poller, as in the other health lab tests (test_coord_lab_health.cpp):
  // its SCHED_FIFO burst after each re-patch takes the cores from the bandwidth tests.
  LabUnderTest lab("--carrier-poll-us 0");
  NetnsFixture net;
  SlurmCluster slurm(slurm_on_lab(net, lab));
  CoordScratch scratch;
  const std::string inventory = inventory_with_slurm(lab, slurm, scratch);
  const std::string h2_admin = "admin: replacing PSU";
  const std::string h4_admin = "admin: BIOS update, ticket #4711";

  slurm.admin({"scontrol", "update", "NodeName=" + node_of("h2"), "State=DRAIN", "Reason=" + h2_admin});
  slurm.admin({"scontrol", "update", "NodeName=" + node_of("h4"), "State=DRAIN", "Reason=" + h4_admin});
  REQUIRE(lab.fault("cap h3:ocs1 --mbit 100").exit_code == 0);
  REQUIRE(lab.fault("dark h4:ocs2").exit_code == 0);

  // Night 1: h3 and h4 blamed critical, h1 and h2 pass.
  const auto night1 = run_night(scratch, inventory, "night1");
  INFO("night 1\n" << night1.output << "\nscheduler:\n" << night1.scheduler << "\n" << night1.health.dump(1).substr(0, 6000));
  REQUIRE(night1.health.is_object());
  CHECK(night1.exit_code == 2);
  // h4:ocs2's dark transceiver sends no light: the switch input its fibre feeds reads dark.
  const std::string dark_input = "ocs1/" + std::to_string(lab.inventory().host("h4").port("ocs2").tx);
  const std::map<std::string, std::string> want = {{"h3:ocs1", "port critical"}, {dark_input, "ocs_port critical"}};
  CHECK(blames_of(night1) == want);

  const auto h3 = slurm.show(node_of("h3"));
  INFO(slurm.sinfo_reasons());
  CHECK(h3.drained());
  CHECK(h3.reason.rfind("mixnet: ", 0) == 0);
  CHECK(h3.reason.find("h3:ocs1") != std::string::npos);
  CHECK(h3.reason_user == "root");
  const auto h4 = slurm.show(node_of("h4"));
  CHECK(h4.drained());
  CHECK(h4.reason == h4_admin);
  const auto h2 = slurm.show(node_of("h2"));
  CHECK(h2.drained());
  CHECK(h2.reason == h2_admin);
  CHECK_FALSE(slurm.show(node_of("h1")).drained());
  const auto reasons1 = slurm.sinfo_reasons();
  CHECK(reasons1.find(node_of("h3") + "|" + h3.reason + "|root") != std::string::npos);
  CHECK(reasons1.find(node_of("h4") + "|" + h4_admin + "|root") != std::string::npos);
  CHECK(reasons1.find(node_of("h2") + "|" + h2_admin + "|root") != std::string::npos);
  CHECK(reasons1.find(node_of("h1") + "|") == std::string::npos);
  // What the run said it did: drained h3, left h4 alone naming the administrator's drain.
  CHECK(night1.scheduler.find("h3 (gpu-h3): drain done") != std::string::npos);
  CHECK(night1.scheduler.find("h4 (gpu-h4): drain skipped: already drained by root") != std::string::npos);
  CHECK(night1.scheduler.find("h2 (gpu-h2)") == std::string::npos);

  {
    // The results store keeps our drain of gpu-h3 as Slurm shows it, and none of the others.
    auto store = coord::ResultsStore::open(scratch.db());
    REQUIRE(store.has_value());
    auto records = coord::DrainRecords::open((*store)->handle());
    REQUIRE(records.has_value());
    auto ours = records->open_drain("slurm", node_of("h3"));
    REQUIRE(ours.has_value());
    REQUIRE(ours->has_value());
    CHECK((*ours)->reason == h3.reason);
    CHECK((*ours)->host == "h3");
    CHECK((*ours)->set_at == h3.reason_time);
    for (const auto& host : {"h1", "h2", "h4"}) CHECK_FALSE(records->open_drain("slurm", node_of(host))->has_value());
  }

  // The faults cleared, a dry run first (`health --dry-run`): the resume it would make, as the
  // exact command; nothing changes in Slurm and our drain stays recorded as open.
  REQUIRE(lab.fault("clear").exit_code == 0);
  const auto dry = run_night(scratch, inventory, "dry", "--dry-run");
  INFO("dry run\n" << dry.output << "\nscheduler:\n" << dry.scheduler);
  CHECK(dry.exit_code == 0);
  CHECK(dry.scheduler == "h3 (gpu-h3): resume printed: dry-run: SLURM_CONF=" + slurm.conf() +
                             " scontrol update NodeName=gpu-h3 State=RESUME\n");
  CHECK(slurm.sinfo_reasons() == reasons1);

  // Night 2: every host passes.
  const auto night2 = run_night(scratch, inventory, "night2");
  INFO("night 2\n" << night2.output << "\nscheduler:\n" << night2.scheduler << "\n" << night2.health.dump(1).substr(0, 6000));
  REQUIRE(night2.health.is_object());
  CHECK(night2.exit_code == 0);
  CHECK(night2.health.at("blames").empty());

  const auto h3_after = slurm.show(node_of("h3"));
  CHECK_FALSE(h3_after.drained());
  CHECK(h3_after.has_flag("IDLE"));
  const auto h4_after = slurm.show(node_of("h4"));
  CHECK(h4_after.drained());
  CHECK(h4_after.reason == h4_admin);
  const auto h2_after = slurm.show(node_of("h2"));
  CHECK(h2_after.drained());
  CHECK(h2_after.reason == h2_admin);
  CHECK_FALSE(slurm.show(node_of("h1")).drained());
  const auto reasons2 = slurm.sinfo_reasons();
  INFO(reasons2);
  CHECK(reasons2.find(node_of("h3") + "|") == std::string::npos);
  CHECK(reasons2.find(node_of("h4") + "|" + h4_admin + "|root") != std::string::npos);
  CHECK(reasons2.find(node_of("h2") + "|" + h2_admin + "|root") != std::string::npos);
  CHECK(night2.scheduler.find("h3 (gpu-h3): resume done") != std::string::npos);
  CHECK(night2.scheduler.find("gpu-h2") == std::string::npos);
  CHECK(night2.scheduler.find("gpu-h4") == std::string::npos);

  auto store = coord::ResultsStore::open(scratch.db());
  REQUIRE(store.has_value());
  auto records = coord::DrainRecords::open((*store)->handle());
  REQUIRE(records.has_value());
  auto history = records->history("slurm", node_of("h3"));
  REQUIRE(history.has_value());
  REQUIRE(history->size() == 1);
  CHECK(history->front().closed_how == "resumed");
  for (const auto& host : {"h2", "h4"}) CHECK(records->history("slurm", node_of(host))->empty());
}
