// health.hosts against fake agents on 127.0.0.1 whose inventories report RDMA ports: each port's
// `rdma:` expectations from the inventory are compared with what its agent reports, the findings
// land in the run's ledger (critical for the link layer, a warning for the firmware, unknown on a
// host without RDMA) and the port items fail or pass accordingly. No RDMA hardware is needed: the
// agents' replies are typed records (the reading itself is tested on sysfs fixtures).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>

#include "coordinator/health/health_ledger.hpp"
#include "coordinator/modules/health_hosts.hpp"
#include "tests/coordinator/support/fake_agent.hpp"
#include "tests/coordinator/support/step_harness.hpp"
#include "tests/support/scratch_dir.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::testing;
using nlohmann::json;

namespace {

const std::string kGid = "fe80:0000:0000:0000:ba59:9fff:fe00:0001";

// ens1f0 on mlx5_0 port 1, RoCE, with one link-local GID (as v1 and v2).
wire::PortInfo roce_port(const std::string& link_layer, const std::string& fw_ver) {
  auto p = fake_port_info("ens1f0", true);
  wire::RdmaPortInfo r;
  r.device = "mlx5_0";
  r.port = 1;
  r.link_layer = link_layer;
  r.state = 4;
  r.state_name = "ACTIVE";
  r.fw_ver = fw_ver;
  r.gids = {{0, kGid, "IB/RoCE v1", "ens1f0"}, {1, kGid, "RoCE v2", "ens1f0"}};
  p.rdma = {r};
  return p;
}

std::map<std::string, std::vector<const health::Finding*>> findings_by_part(const health::HealthLedger::Snapshot& s) {
  std::map<std::string, std::vector<const health::Finding*>> out;
  for (const auto& f : s.findings) {
    if (f.rule == "inventory-drift") out[f.part].push_back(&f);
  }
  return out;
}

}  // namespace

TEST_CASE("health.hosts: RDMA expectations judged per port, unknown where nothing can be read", "[health][rdma]") {
  ScratchDir dir("mixnet-health-hosts");
  // h1: all as expected but a newer firmware; h2: the port runs InfiniBand; h3: no RDMA at all.
  FakeAgent h1("h1", "tok"), h2("h2", "tok"), h3("h3", "tok");
  h1.set_ports({roce_port("Ethernet", "28.40.1000")});
  h2.set_ports({roce_port("InfiniBand", "28.39.1002")});
  h3.set_ports({fake_port_info("ens1f0", true)});
  std::ofstream(dir.path + "/token") << "tok\n";
  REQUIRE(::chmod((dir.path + "/token").c_str(), 0600) == 0);
  std::string y = "version: 1\nhosts:\n";
  for (const auto& [name, agent] : std::vector<std::pair<std::string, const FakeAgent*>>{{"h1", &h1}, {"h2", &h2}, {"h3", &h3}}) {
    y += "  - name: " + name + "\n";
    y += "    agent: {url: \"" + agent->url() + "\", token_file: token}\n";
    y += "    ports:\n      - name: ens1f0\n";
    y += "        rdma: {device: mlx5_0, port: 1, fw_ver: 28.39.1002, link_layer: Ethernet, gids: [\"fe80::ba59:9fff:fe00:1\"], gid_count: 2}\n";
  }
  StepHarness h(y, "", dir.path, dir.path + "/leases");
  HealthHostsModule module;

  const auto r = h.run(module, json{{"deadline", 5}});
  INFO(r.message);
  REQUIRE(r.ok);
  const auto snapshot = h.state.health->snapshot();
  const auto by_part = findings_by_part(snapshot);

  // h1: the firmware alone differs: a warning, and the port passes with it as its message.
  REQUIRE(by_part.contains("h1:ens1f0"));
  REQUIRE(by_part.at("h1:ens1f0").size() == 1);
  const auto& fw = *by_part.at("h1:ens1f0")[0];
  CHECK(fw.severity == health::Severity::warning);
  CHECK(fw.figure == "rdma_fw_ver");
  CHECK(fw.message == "firmware of mlx5_0 is 28.40.1000, expected 28.39.1002");
  const auto* item1 = h.sink.find("h1:ens1f0");
  REQUIRE(item1 != nullptr);
  CHECK(item1->status == "ok");
  CHECK(item1->message == "warning: firmware of mlx5_0 is 28.40.1000, expected 28.39.1002");

  // h2: the link layer: critical, the port fails.
  REQUIRE(by_part.contains("h2:ens1f0"));
  REQUIRE(by_part.at("h2:ens1f0").size() == 1);
  CHECK(by_part.at("h2:ens1f0")[0]->severity == health::Severity::critical);
  CHECK(by_part.at("h2:ens1f0")[0]->figure == "rdma_link_layer");
  const auto* item2 = h.sink.find("h2:ens1f0");
  REQUIRE(item2 != nullptr);
  CHECK(item2->status == "failed");
  CHECK(item2->message == "link layer of mlx5_0 port 1 is InfiniBand, expected Ethernet");

  // h3: nothing to read: every expectation unknown, the port fails (never a pass).
  REQUIRE(by_part.contains("h3:ens1f0"));
  CHECK(by_part.at("h3:ens1f0").size() == 4);
  for (const auto* f : by_part.at("h3:ens1f0")) CHECK(f->severity == health::Severity::unknown);
  const auto* item3 = h.sink.find("h3:ens1f0");
  REQUIRE(item3 != nullptr);
  CHECK(item3->status == "failed");
  CHECK(item3->message.find("cannot be read: the host reports no RDMA device") != std::string::npos);

  // The hosts themselves match (no host drift), and the GID table size is still observed.
  CHECK_FALSE(by_part.contains("h1"));
  const auto gid_count = std::ranges::find_if(snapshot.observations, [](const health::Observation& o) {
    return o.part == "h2:ens1f0" && o.figure == "rdma_gid_count";
  });
  REQUIRE(gid_count != snapshot.observations.end());
  CHECK(gid_count->value == 2.0);
}
