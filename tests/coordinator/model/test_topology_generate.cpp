// Generated topologies ("generate: cover"): two topologies that between them give every
// OCS-cabled port a circuit to another host, for any inventory; and the errors that say when
// that cannot be done.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <fmt/format.h>

#include "coordinator/model/topology.hpp"
#include "coordinator/model/topology_generate.hpp"

using namespace mixnet;
using namespace mixnet::coord;

namespace {

// `ports[i]` OCS ports on host h<i+1>, all on one NxM switch with inputs 1..N, outputs N+1..2N.
Inventory make_inventory(const std::vector<int>& ports, int eps_ports = 1) {
  int total = 0;
  for (int n : ports) total += n;
  std::string yaml = "version: 1\nhosts:\n";
  int k = 0;
  for (std::size_t h = 0; h < ports.size(); ++h) {
    yaml += fmt::format("  - name: h{}\n    agent: {{url: \"http://127.0.0.1:{}\"}}\n    ports:\n", h + 1, 1000 + h);
    for (int p = 0; p < ports[h]; ++p, ++k) {
      yaml += fmt::format("      - {{name: ocs{}, ocs: {{switch: s, tx: {}, rx: {}}}}}\n", p, k + 1, total + k + 1);
    }
    for (int e = 0; e < eps_ports; ++e) yaml += fmt::format("      - {{name: eps{}, eps: {{switch: e}}}}\n", e);
  }
  yaml += "switches:\n  - {name: s, kind: ocs, uri: \"polatis-tl1://a@h:1\"}\n  - {name: e, kind: eps}\n";
  auto inv = parse_inventory(yaml, "inv.yaml", "");
  INFO(yaml);
  REQUIRE(inv.has_value());
  return *inv;
}

// Checks the generated pair covers every OCS port, joins only different hosts, uses no port
// twice within a topology, and resolves against the inventory. Returns the ports covered.
std::set<std::string> check_cover(const Inventory& inv, std::vector<Topology> topologies) {
  REQUIRE(topologies.size() == 2);
  CHECK(topologies[0].name == "cover-1");
  CHECK(topologies[1].name == "cover-2");
  std::set<std::string> covered;
  for (auto& t : topologies) {
    std::set<std::string> used;
    for (const auto& c : t.circuits) {
      CHECK(c.a.host != c.b.host);
      CHECK(used.insert(c.a.str()).second);
      CHECK(used.insert(c.b.str()).second);
      covered.insert(c.a.str());
      covered.insert(c.b.str());
    }
    auto ok = resolve_topology(t, inv);
    INFO((ok ? std::string("resolved") : ok.error().message));
    CHECK(ok.has_value());
  }
  for (const auto& h : inv.hosts) {
    for (const auto& p : h.ports) {
      if (p.ocs) CHECK(covered.contains(h.name + ":" + p.name));
    }
  }
  return covered;
}

}  // namespace

TEST_CASE("generate cover: the MixNet prototype (4 hosts x 3 OCS ports) is covered by part 1 alone", "[coord][topology]") {
  const Inventory inv = make_inventory({3, 3, 3, 3});
  auto t = generate_cover("cover", inv);
  REQUIRE(t.has_value());
  CHECK((*t)[0].circuits.size() == 6);
  check_cover(inv, *t);
  // Part 2 gives every port a second, different peer.
  std::map<std::string, std::string> peer1;
  for (const auto& c : (*t)[0].circuits) {
    peer1[c.a.str()] = c.b.str();
    peer1[c.b.str()] = c.a.str();
  }
  CHECK((*t)[1].circuits.size() == 6);
  for (const auto& c : (*t)[1].circuits) CHECK(peer1[c.a.str()] != c.b.str());
}

TEST_CASE("generate cover: odd counts and uneven hosts leave nothing out", "[coord][topology]") {
  for (const auto& shape : std::vector<std::vector<int>>{{1, 2}, {3, 2, 2}, {5, 3}, {4, 1, 1}, {2, 2, 2, 2, 2, 2, 1}, {6, 6, 6, 6, 6, 6, 6, 6}}) {
    const Inventory inv = make_inventory(shape);
    INFO("hosts with ports " << fmt::format("{}", fmt::join(shape, ",")));
    auto t = generate_cover("cover", inv);
    INFO((t ? std::string("ok") : t.error().message));
    REQUIRE(t.has_value());
    check_cover(inv, *t);
  }
}

TEST_CASE("generate cover: says why a testbed cannot be covered", "[coord][topology]") {
  SECTION("one host holds more than two thirds of the switch") {
    auto t = generate_cover("cover", make_inventory({6, 1}));
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().message.find("host h1 holds 6 of the 7 ports on switch s") != std::string::npos);
  }
  SECTION("a switch with one cabled port") {
    auto t = generate_cover("cover", make_inventory({1}));
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().message.find("only one cabled port (h1:ocs0)") != std::string::npos);
  }
}

TEST_CASE("generate cover: a topology file entry expands into NAME-1 and NAME-2", "[coord][topology]") {
  const Inventory inv = make_inventory({2, 2});
  auto t = parse_topology_text("topologies:\n  - {name: cv, generate: cover}\n  - {name: none, circuits: []}\n", "t.yaml", inv);
  REQUIRE(t.has_value());
  REQUIRE(t->size() == 3);
  CHECK((*t)[0].name == "cv-1");
  CHECK((*t)[1].name == "cv-2");
  CHECK_FALSE((*t)[0].resolved.empty());

  auto both = parse_topology_text("name: x\ngenerate: cover\ncircuits: []\n", "t.yaml", inv);
  REQUIRE_FALSE(both.has_value());
  CHECK(both.error().message.find("either circuits or generate") != std::string::npos);
  auto unknown = parse_topology_text("name: x\ngenerate: ring\n", "t.yaml", inv);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().message.find("unknown generator 'ring'") != std::string::npos);
}
