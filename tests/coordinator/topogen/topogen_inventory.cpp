#include "topogen_inventory.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace mixnet::coord;

namespace topogen_test {

Inventory make_topogen_inventory(const std::vector<HostSpec>& hosts, const std::vector<SwitchSpec>& switches) {
  std::string yaml = "version: 1\nhosts:\n";
  std::map<std::string, int> next_input;
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    const auto& spec = hosts[h];
    const std::string expect = spec.speed_mbps ? fmt::format(", expect: {{speed_mbps: {}}}", *spec.speed_mbps) : "";
    yaml += fmt::format("  - name: {}\n    agent: {{url: \"http://127.0.0.1:{}\"}}\n    ports:{}\n", spec.name, 1000 + h,
                        spec.ocs_switches.empty() && spec.eps_ports == 0 ? " []" : "");
    for (std::size_t p = 0; p < spec.ocs_switches.size(); ++p) {
      const auto& sw = spec.ocs_switches[p];
      const int input = ++next_input[sw];
      if (spec.unmapped) yaml += fmt::format("      - {{name: ocs{}, ocs: {{switch: {}}}{}}}\n", p, sw, expect);
      else yaml += fmt::format("      - {{name: ocs{}, ocs: {{switch: {}, tx: {}, rx: {}}}{}}}\n", p, sw, input, 1000 + input, expect);
    }
    for (int e = 0; e < spec.eps_ports; ++e) yaml += fmt::format("      - {{name: eps{}, eps: {{switch: e}}{}}}\n", e, expect);
  }
  yaml += "switches:\n";
  for (const auto& sw : switches) {
    yaml += fmt::format("  - {{name: {}, kind: ocs, uri: \"polatis-tl1://a@h:1\"{}}}\n", sw.name,
                        sw.region.empty() ? "" : ", region: " + sw.region);
  }
  yaml += "  - {name: e, kind: eps}\n";
  auto inv = parse_inventory(yaml, "inv.yaml", "");
  INFO(yaml);
  if (!inv) FAIL(inv.error().message);
  return *inv;
}

Inventory uniform_inventory(int hosts, int ports) {
  std::vector<HostSpec> specs;
  for (int h = 1; h <= hosts; ++h) specs.push_back({fmt::format("h{}", h), std::vector<std::string>(static_cast<std::size_t>(ports), "s")});
  return make_topogen_inventory(specs, {{"s", ""}});
}

Inventory random_inventory(std::mt19937& rng) {
  const int host_count = std::uniform_int_distribution<int>(2, 8)(rng);
  const int switch_count = std::uniform_int_distribution<int>(1, 3)(rng);
  std::vector<SwitchSpec> switches;
  for (int s = 0; s < switch_count; ++s) switches.push_back({fmt::format("s{}", s), s == 0 ? "r1" : "r2"});
  std::vector<HostSpec> hosts;
  for (int h = 1; h <= host_count; ++h) {
    HostSpec spec{fmt::format("h{}", h), {}};
    for (const auto& sw : switches) {
      const int n = std::uniform_int_distribution<int>(0, 3)(rng);
      for (int p = 0; p < n; ++p) spec.ocs_switches.push_back(sw.name);
    }
    spec.eps_ports = std::uniform_int_distribution<int>(0, 2)(rng);
    hosts.push_back(std::move(spec));
  }
  return make_topogen_inventory(hosts, switches);
}

topogen::DemandMatrix random_demand(const std::vector<std::string>& hosts, std::mt19937& rng) {
  std::vector<std::vector<double>> bytes(hosts.size(), std::vector<double>(hosts.size(), 0.0));
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    for (std::size_t j = 0; j < hosts.size(); ++j) {
      if (i != j && std::uniform_int_distribution<int>(0, 1)(rng) == 1) bytes[i][j] = std::uniform_int_distribution<int>(1, 1000000000)(rng);
    }
  }
  return demand_of(hosts, bytes);
}

topogen::DemandMatrix demand_of(const std::vector<std::string>& hosts, const std::vector<std::vector<double>>& bytes) {
  topogen::DemandMatrix m;
  m.hosts = hosts;
  m.bytes = bytes;
  m.source = "test";
  return m;
}

std::map<std::string, int> circuits_per_pair(const Topology& topology) {
  std::map<std::string, int> out;
  for (const auto& c : topology.circuits) {
    out[std::min(c.a.host, c.b.host) + "|" + std::max(c.a.host, c.b.host)] += 1;
  }
  return out;
}

}  // namespace topogen_test
