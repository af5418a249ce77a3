// A layer's flows on random inventories, matrices and MixNet topologies: every flow is between
// ports of its hosts, circuit flows only on the topology's circuits, each pair's flows sum to its
// rounded bytes, and the circuit and electrical totals are evaluate_quality's, so the estimate
// and the replay describe the same traffic.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "coordinator/replay/replay_plan.hpp"
#include "coordinator/topogen/generators.hpp"
#include "coordinator/topogen/quality.hpp"
#include "topogen_inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::replay;

namespace {

using PropertyPair = std::pair<std::string, std::string>;

std::vector<std::string> property_host_names(const Inventory& inv) {
  std::vector<std::string> out;
  for (const auto& h : inv.hosts) out.push_back(h.name);
  return out;
}

// The topology's circuits as (sending port, receiving port), both ways.
std::set<std::pair<PortRef, PortRef>> property_circuit_ends(const Topology* t) {
  std::set<std::pair<PortRef, PortRef>> out;
  if (t == nullptr) return out;
  for (const auto& c : t->circuits) {
    out.insert({c.a, c.b});
    out.insert({c.b, c.a});
  }
  return out;
}

std::map<PropertyPair, int> property_circuits_per_pair(const Topology* t) {
  std::map<PropertyPair, int> out;
  if (t == nullptr) return out;
  for (const auto& c : t->circuits) {
    out[{c.a.host, c.b.host}] += 1;
    out[{c.b.host, c.a.host}] += 1;
  }
  return out;
}

// The demand with every pair zeroed that would need the electrical switch from or to a host
// without an electrical port (the random inventories have some): what the plan can carry.
topogen::DemandMatrix property_plannable(topogen::DemandMatrix demand, const Inventory& inv, const Topology* t, bool& had_unplannable) {
  const auto circuits = property_circuits_per_pair(t);
  had_unplannable = false;
  for (std::size_t i = 0; i < demand.hosts.size(); ++i) {
    for (std::size_t j = 0; j < demand.hosts.size(); ++j) {
      if (i == j || std::llround(demand.bytes[i][j]) == 0 || circuits.contains({demand.hosts[i], demand.hosts[j]})) continue;
      if (electrical_ports(*inv.find_host(demand.hosts[i])).empty() || electrical_ports(*inv.find_host(demand.hosts[j])).empty()) {
        demand.bytes[i][j] = 0;
        had_unplannable = true;
      }
    }
  }
  return demand;
}

// The sender's electrical ports on a switch where the receiver has one too.
std::size_t property_eps_senders(const Inventory& inv, const std::string& from, const std::string& to) {
  std::set<std::string> receiver_switches;
  for (const auto* p : electrical_ports(*inv.find_host(to))) receiver_switches.insert(p->eps->switch_name);
  const auto senders = electrical_ports(*inv.find_host(from));
  return static_cast<std::size_t>(
      std::count_if(senders.begin(), senders.end(), [&](const HostPort* p) { return receiver_switches.contains(p->eps->switch_name); }));
}

void check_plan_properties(const topogen::DemandMatrix& demand, const Topology* t, const Inventory& inv) {
  bool had_unplannable = false;
  const auto plannable = property_plannable(demand, inv, t, had_unplannable);
  // The whole demand fails exactly when some pair cannot be carried, and says it is the EPS.
  const auto whole = layer_flows(demand, t, inv);
  CHECK(whole.has_value() == !had_unplannable);
  if (!whole) {
    CHECK(whole.error().code == Errc::invalid_argument);
    CHECK(whole.error().field == "eps");
  }
  const auto r = layer_flows(plannable, t, inv);
  INFO((r ? std::string() : r.error().describe()));
  REQUIRE(r.has_value());
  const auto& flows = *r;

  const auto circuit_ends = property_circuit_ends(t);
  const auto circuits = property_circuits_per_pair(t);
  std::map<PropertyPair, std::uint64_t> per_pair;
  std::map<PropertyPair, std::vector<std::uint64_t>> shares;
  double circuit_total = 0, eps_total = 0;
  for (const auto& f : flows) {
    INFO(f.from.str() << " -> " << f.to.str() << " " << f.bytes << " " << path_name(f.path));
    CHECK(f.bytes > 0);
    CHECK(f.from.host != f.to.host);
    const auto from = inv.find_port(f.from);
    const auto to = inv.find_port(f.to);
    REQUIRE(from.has_value());
    REQUIRE(to.has_value());
    const PropertyPair pair{f.from.host, f.to.host};
    if (f.path == FlowPath::circuit) {
      CHECK(circuit_ends.contains({f.from, f.to}));
      circuit_total += static_cast<double>(f.bytes);
    } else {
      CHECK_FALSE(circuits.contains(pair));
      REQUIRE((*from)->eps.has_value());
      REQUIRE((*to)->eps.has_value());
      CHECK((*from)->eps->switch_name == (*to)->eps->switch_name);
      eps_total += static_cast<double>(f.bytes);
    }
    per_pair[pair] += f.bytes;
    shares[pair].push_back(f.bytes);
  }
  // Each pair's flows sum exactly to its rounded bytes, split evenly (shares differ by a byte at most).
  std::size_t pairs = 0;
  for (std::size_t i = 0; i < plannable.hosts.size(); ++i) {
    for (std::size_t j = 0; j < plannable.hosts.size(); ++j) {
      if (i == j) continue;
      ++pairs;
      const PropertyPair pair{plannable.hosts[i], plannable.hosts[j]};
      INFO(pair.first << " -> " << pair.second);
      CHECK(per_pair[pair] == static_cast<std::uint64_t>(std::llround(plannable.bytes[i][j])));
      const auto& s = shares[pair];
      if (!s.empty()) {
        const auto [lo, hi] = std::minmax_element(s.begin(), s.end());
        CHECK(*hi - *lo <= 1);
      }
      // One flow per circuit, or per sending port that shares a switch with the receiver, unless
      // the pair has fewer bytes than that.
      const auto total = per_pair[pair];
      const std::size_t ways = circuits.contains(pair) ? static_cast<std::size_t>(circuits.at(pair))
                                                       : property_eps_senders(inv, pair.first, pair.second);
      CHECK(s.size() == std::min<std::uint64_t>(total, ways));
    }
  }
  // The estimate's split, within half a byte per pair.
  const auto q = topogen::evaluate_quality(t == nullptr ? Topology{.name = "none"} : *t, plannable, inv, 100);
  const double rounding = 0.5 * static_cast<double>(pairs) + 1e-3;   // and the sums' floating-point error
  CHECK(std::abs(circuit_total - q.circuit_bytes) <= rounding);
  CHECK(std::abs(eps_total - q.eps_bytes) <= rounding);
  // Ordered as documented.
  CHECK(std::is_sorted(flows.begin(), flows.end(), [](const ReplayFlow& x, const ReplayFlow& y) {
    if (x.bytes != y.bytes) return x.bytes > y.bytes;
    if (x.from != y.from) return x.from < y.from;
    return x.to < y.to;
  }));
}

}  // namespace

TEST_CASE("replay plan on random inventories, matrices and MixNet topologies keeps evaluate_quality's split", "[unit][replay][property]") {
  std::mt19937 rng(20261207);
  for (int round = 0; round < 200; ++round) {
    INFO("round " << round);
    const auto inv = topogen_test::random_inventory(rng);
    // Scaled by 1e-9 .. 1: fractions of bytes and tiny pairs, so rounding and empty shares are exercised.
    const double factor = std::pow(10.0, std::uniform_real_distribution<double>(-9.0, 0.0)(rng));
    const auto demand = scale_demand(topogen_test::random_demand(property_host_names(inv), rng), factor);
    auto g = topogen::generate_mixnet("g", demand, inv);
    REQUIRE(g.has_value());
    auto ok = resolve_topology(*g, inv);
    REQUIRE(ok.has_value());
    {
      INFO("mixnet topology, " << g->circuits.size() << " circuits");
      check_plan_properties(demand, &*g, inv);
    }
    {
      INFO("electrical only");
      check_plan_properties(demand, nullptr, inv);
    }
  }
}
