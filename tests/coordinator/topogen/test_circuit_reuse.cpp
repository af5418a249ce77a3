// reuse_circuits: a generated topology keeps the ports already patched for the host pairs it
// wants again, so applying it with the fewest changes breaks only what really changes; the
// circuits per host pair and switch never change.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "coordinator/topogen/circuit_reuse.hpp"
#include "coordinator/topogen/generators.hpp"
#include "topogen_inventory.hpp"

using namespace mixnet;
using namespace mixnet::coord;
using namespace mixnet::coord::topogen;
using namespace topogen_test;

namespace {

Circuit reuse_circuit(const std::string& a, const std::string& b) { return Circuit{.a = *PortRef::parse(a), .b = *PortRef::parse(b)}; }

std::set<std::string> reuse_circuit_set(const Topology& t) {
  std::set<std::string> out;
  for (const auto& c : t.circuits) out.insert(c.a < c.b ? c.str() : c.b.str() + " - " + c.a.str());
  return out;
}

// Circuits per (switch, host pair).
std::map<std::string, int> reuse_shape(const Topology& t, const Inventory& inv) {
  std::map<std::string, int> out;
  for (const auto& c : t.circuits) {
    const auto sw = (*inv.find_port(c.a))->ocs->switch_name;
    out[sw + "|" + std::min(c.a.host, c.b.host) + "|" + std::max(c.a.host, c.b.host)]++;
  }
  return out;
}

}  // namespace

TEST_CASE("reuse_circuits keeps the patched ports of a host pair wanted again", "[topogen][reuse]") {
  const auto inv = uniform_inventory(4, 3);   // h1..h4, ports ocs0..ocs2 on switch s
  Topology in_place{.name = "old"};
  in_place.circuits = {reuse_circuit("h1:ocs2", "h2:ocs1"), reuse_circuit("h3:ocs0", "h4:ocs2"), reuse_circuit("h1:ocs0", "h3:ocs1")};
  Topology wanted{.name = "new"};
  // The same pairs h1-h2 and h3-h4 on other ports, and h1-h4 new (h1-h3 gone).
  wanted.circuits = {reuse_circuit("h1:ocs0", "h2:ocs0"), reuse_circuit("h3:ocs0", "h4:ocs0"), reuse_circuit("h1:ocs1", "h4:ocs1")};
  const auto out = reuse_circuits(wanted, in_place, inv);
  CHECK(out.name == "new");
  CHECK(reuse_circuit_set(out) == std::set<std::string>{"h1:ocs2 - h2:ocs1", "h3:ocs0 - h4:ocs2", "h1:ocs0 - h4:ocs0"});
  CHECK(reuse_shape(out, inv) == reuse_shape(wanted, inv));
}

TEST_CASE("reuse_circuits on random layers: same shape, no port twice, every wanted pair kept where it was", "[topogen][reuse]") {
  std::mt19937 rng(20261207);
  for (int round = 0; round < 200; ++round) {
    const auto inv = random_inventory(rng);
    std::vector<std::string> hosts;
    for (const auto& h : inv.hosts) hosts.push_back(h.name);
    auto before = generate_mixnet("before", random_demand(hosts, rng), inv);
    auto after = generate_mixnet("after", random_demand(hosts, rng), inv);
    REQUIRE(before);
    REQUIRE(after);
    const auto out = reuse_circuits(*after, *before, inv);
    INFO("round " << round);
    CHECK(reuse_shape(out, inv) == reuse_shape(*after, inv));
    std::set<PortRef> used;
    for (const auto& c : out.circuits) {
      CHECK(used.insert(c.a).second);
      CHECK(used.insert(c.b).second);
      CHECK((*inv.find_port(c.a))->ocs->switch_name == (*inv.find_port(c.b))->ocs->switch_name);
    }
    // Kept circuits: for each (switch, pair), min(wanted, in place) of before's circuits survive.
    const auto kept = reuse_circuit_set(out);
    std::map<std::string, int> kept_per_key, before_per_key;
    for (const auto& c : before->circuits) {
      const auto key = (*inv.find_port(c.a))->ocs->switch_name + "|" + std::min(c.a.host, c.b.host) + "|" + std::max(c.a.host, c.b.host);
      ++before_per_key[key];
      if (kept.contains(c.a < c.b ? c.str() : c.b.str() + " - " + c.a.str())) ++kept_per_key[key];
    }
    const auto want = reuse_shape(*after, inv);
    for (const auto& [key, n] : before_per_key) {
      const auto it = want.find(key);
      CHECK(kept_per_key[key] == std::min(n, it == want.end() ? 0 : it->second));
    }
    // Reusing with itself changes nothing.
    CHECK(reuse_circuit_set(reuse_circuits(*after, *after, inv)) == reuse_circuit_set(*after));
  }
}
