// Every generator on random inventories and matrices: no port twice, every circuit between two
// hosts on the switch both ends are cabled to, the file written reads back the same, and the
// greedy matches a plain re-statement of the paper's loop and stops only when nothing can be added.
#include <catch2/catch.hpp>

#include <set>

#include <fmt/format.h>

#include "coordinator/topogen/generators.hpp"
#include "coordinator/topogen/topology_text.hpp"
#include "topogen_inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::topogen;

namespace {

std::vector<std::string> property_hosts(const Inventory& inv) {
  std::vector<std::string> out;
  for (const auto& h : inv.hosts) out.push_back(h.name);
  return out;
}

// No port twice, ends on different hosts and on one switch (of the region, when given), and
// resolution and the written file agree.
void check_generated(const Topology& t, const Inventory& inv, const std::string& region) {
  INFO("topology " << t.name);
  std::set<PortRef> used;
  for (const auto& c : t.circuits) {
    INFO(c.str());
    CHECK(used.insert(c.a).second);
    CHECK(used.insert(c.b).second);
    CHECK(c.a.host != c.b.host);
    const auto* pa = *inv.find_port(c.a);
    const auto* pb = *inv.find_port(c.b);
    REQUIRE(pa->ocs.has_value());
    REQUIRE(pb->ocs.has_value());
    CHECK(pa->ocs->switch_name == pb->ocs->switch_name);
    if (!region.empty()) CHECK(inv.find_switch(pa->ocs->switch_name)->region == region);
  }
  auto resolved = t;
  auto ok = resolve_topology(resolved, inv);
  INFO((ok ? std::string() : ok.error().message));
  CHECK(ok.has_value());
  auto back = parse_topology_text(topology_file_text({t}, "test\nfile"), "gen.yaml", inv);
  INFO((back ? std::string() : back.error().message));
  REQUIRE(back.has_value());
  REQUIRE(back->size() == 1);
  CHECK(back->front().name == t.name);
  CHECK(back->front().region == t.region);
  REQUIRE(back->front().circuits.size() == t.circuits.size());
  for (std::size_t i = 0; i < t.circuits.size(); ++i) CHECK(back->front().circuits[i].str() == t.circuits[i].str());
}

// Free ports per host and switch once `t`'s circuits are made.
std::map<std::string, std::map<std::string, int>> property_free_ports(const Topology& t, const Inventory& inv, const std::string& region) {
  std::map<std::string, std::map<std::string, int>> free;
  std::set<PortRef> used;
  for (const auto& c : t.circuits) used.insert(c.a), used.insert(c.b);
  for (const auto& h : inv.hosts) {
    for (const auto& p : h.ports) {
      if (!p.ocs || used.contains(PortRef{h.name, p.name})) continue;
      if (!region.empty() && inv.find_switch(p.ocs->switch_name)->region != region) continue;
      free[h.name][p.ocs->switch_name] += 1;
    }
  }
  return free;
}

bool property_can_join(std::map<std::string, std::map<std::string, int>>& free, const std::string& a, const std::string& b) {
  for (const auto& [sw, n] : free[a]) {
    if (n > 0 && free[b][sw] > 0) return true;
  }
  return false;
}

// The paper's loop stated plainly, for one switch (where the choice of switch does not arise):
// scan every pair, take the heaviest that can still have a circuit, ties to inventory order.
std::map<std::string, int> plain_greedy(const Inventory& inv, const DemandMatrix& d) {
  const auto hosts = property_hosts(inv);
  std::map<std::string, int> ports, out;
  for (const auto& h : inv.hosts) ports[h.name] = static_cast<int>(std::count_if(h.ports.begin(), h.ports.end(), [](const HostPort& p) { return p.ocs.has_value(); }));
  std::map<std::pair<std::size_t, std::size_t>, int> k;
  while (true) {
    double best = 0;
    std::pair<std::size_t, std::size_t> pick{0, 0};
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      for (std::size_t j = i + 1; j < hosts.size(); ++j) {
        if (ports[hosts[i]] == 0 || ports[hosts[j]] == 0) continue;
        const double w = (d.at(hosts[i], hosts[j]) + d.at(hosts[j], hosts[i])) / (k[{i, j}] + 1);
        if (w > best) best = w, pick = {i, j};
      }
    }
    if (best <= 0) return out;
    k[pick] += 1;
    ports[hosts[pick.first]] -= 1;
    ports[hosts[pick.second]] -= 1;
    out[hosts[pick.first] + "|" + hosts[pick.second]] += 1;
  }
}

}  // namespace

TEST_CASE("generators on random inventories and matrices: valid circuits that read back", "[unit][topogen][property]") {
  std::mt19937 rng(20261207);
  for (int round = 0; round < 150; ++round) {
    const auto inv = topogen_test::random_inventory(rng);
    const auto demand = topogen_test::random_demand(property_hosts(inv), rng);
    for (const std::string region : {"", "r1", "r2"}) {
      if (!region.empty() && !inv.has_region(region)) continue;
      INFO("round " << round << " region '" << region << "'");
      auto g = generate_mixnet("g", demand, inv, region);
      REQUIRE(g.has_value());
      check_generated(*g, inv, region);
      // Nothing was left that could be added: every pair with demand lacks a shared free port.
      auto free = property_free_ports(*g, inv, region);
      for (std::size_t i = 0; i < demand.hosts.size(); ++i) {
        for (std::size_t j = i + 1; j < demand.hosts.size(); ++j) {
          if (demand.bytes[i][j] + demand.bytes[j][i] <= 0) continue;
          INFO(demand.hosts[i] << " - " << demand.hosts[j]);
          CHECK_FALSE(property_can_join(free, demand.hosts[i], demand.hosts[j]));
        }
      }
      auto m = generate_matching("m", demand, inv, region);
      REQUIRE(m.has_value());
      check_generated(*m, inv, region);
      free = property_free_ports(*m, inv, region);
      for (std::size_t i = 0; i < demand.hosts.size(); ++i) {
        for (std::size_t j = i + 1; j < demand.hosts.size(); ++j) {
          if (demand.bytes[i][j] + demand.bytes[j][i] > 0) CHECK_FALSE(property_can_join(free, demand.hosts[i], demand.hosts[j]));
        }
      }
      auto r = generate_ring("r", inv, region);
      REQUIRE(r.has_value());
      check_generated(*r, inv, region);
      if (auto rr = generate_round_robin("rr", inv, region); rr.has_value()) {
        for (const auto& t : *rr) check_generated(t, inv, region);
      }
    }
  }
}

TEST_CASE("mixnet on one switch gives each pair what the paper's loop, stated plainly, gives it", "[unit][topogen][property]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const int hosts = std::uniform_int_distribution<int>(2, 9)(rng);
    std::vector<topogen_test::HostSpec> specs;
    for (int h = 1; h <= hosts; ++h) {
      specs.push_back({fmt::format("h{}", h), std::vector<std::string>(static_cast<std::size_t>(std::uniform_int_distribution<int>(1, 4)(rng)), "s")});
    }
    const auto inv = topogen_test::make_topogen_inventory(specs, {{"s", ""}});
    const auto demand = topogen_test::random_demand(property_hosts(inv), rng);
    auto g = generate_mixnet("g", demand, inv);
    REQUIRE(g.has_value());
    INFO("round " << round);
    CHECK(topogen_test::circuits_per_pair(*g) == plain_greedy(inv, demand));
  }
}

TEST_CASE("generators past the exact matching's size: 24 hosts", "[unit][topogen][property]") {
  std::mt19937 rng(24);
  const auto inv = topogen_test::uniform_inventory(24, 3);
  const auto demand = topogen_test::random_demand(property_hosts(inv), rng);
  auto m = generate_matching("m", demand, inv);
  REQUIRE(m.has_value());
  check_generated(*m, inv, "");
  CHECK(m->circuits.size() == 36);   // every port: with half the pairs in demand, each host finds partners
  auto g = generate_mixnet("g", demand, inv);
  REQUIRE(g.has_value());
  check_generated(*g, inv, "");
  auto rr = generate_round_robin("rr", inv);
  REQUIRE(rr.has_value());
  CHECK(rr->size() == 23);
}
