// PeerMedians (peer_medians.hpp): the median over the other parts, answered from one sorted list,
// checked against its definition (the median of every other part's median) on random runs.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "coordinator/health/baseline.hpp"
#include "coordinator/health/peer_medians.hpp"

using namespace mixnet::coord::health;

namespace {

Observation peer_figure(const std::string& part, double value, PartKind kind = PartKind::eps_pair) {
  Observation o;
  o.kind = kind;
  o.part = part;
  o.figure = "bandwidth_gbps";
  o.value = value;
  return o;
}

}  // namespace

TEST_CASE("PeerMedians: the median over the others, by hand", "[health][peers]") {
  const PeerMedians peers({peer_figure("a", 10), peer_figure("b", 20), peer_figure("c", 30), peer_figure("d", 40),
                           peer_figure("x", 5, PartKind::circuit)});
  CHECK(peers.of(PartKind::eps_pair, "bandwidth_gbps", "a").median == Approx(30));   // 20 30 40
  CHECK(peers.of(PartKind::eps_pair, "bandwidth_gbps", "a").count == 3);
  CHECK(peers.of(PartKind::eps_pair, "bandwidth_gbps", "c").median == Approx(20));   // 10 20 40
  CHECK(peers.of(PartKind::eps_pair, "bandwidth_gbps", "new").median == Approx(25));   // all four
  CHECK(peers.of(PartKind::eps_pair, "bandwidth_gbps", "new").count == 4);
  // The only part of its kind has no peers; a figure nobody measured neither.
  CHECK(peers.of(PartKind::circuit, "bandwidth_gbps", "x").count == 0);
  CHECK(peers.of(PartKind::eps_pair, "loss", "a").count == 0);
}

TEST_CASE("PeerMedians: equals the median of every other part's median on random runs", "[health][peers]") {
  std::mt19937 rng(20261207);
  for (int run = 0; run < 200; ++run) {
    const int parts = 1 + static_cast<int>(rng() % 12);
    std::vector<Observation> obs;
    std::map<std::string, std::vector<double>> values;
    for (int p = 0; p < parts; ++p) {
      const int n = 1 + static_cast<int>(rng() % 3);   // a part measured up to three times
      for (int k = 0; k < n; ++k) {
        const double v = static_cast<double>(rng() % 8);   // few values: ties are common
        obs.push_back(peer_figure("p" + std::to_string(p), v));
        values["p" + std::to_string(p)].push_back(v);
      }
    }
    const PeerMedians peers(obs);
    for (int p = 0; p <= parts; ++p) {   // p == parts: a part not measured
      const std::string part = "p" + std::to_string(p);
      std::vector<double> others;
      for (const auto& [name, v] : values) {
        if (name != part) others.push_back(median_of(v));
      }
      const auto got = peers.of(PartKind::eps_pair, "bandwidth_gbps", part);
      INFO("run " << run << ", part " << part);
      REQUIRE(got.count == others.size());
      if (!others.empty()) REQUIRE(got.median == Approx(median_of(others)));
    }
  }
}
