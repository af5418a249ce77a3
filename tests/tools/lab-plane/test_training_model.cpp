// The link-training delay model: profiles parse, draw from the distributions they name (checked
// on 20000 draws), stay in their clamps, and a seed reproduces an end's delays.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tools/lab/plane/training_model.hpp"

using mixnet::lab::TrainingDelays;
using mixnet::lab::TrainingProfile;

namespace {

struct Stats {
  double mean = 0, sd = 0, min = 0, max = 0, p99 = 0;
};

Stats draw(const std::string& spec, std::uint64_t seed, std::uint64_t end, int n = 20000) {
  auto p = TrainingProfile::parse(spec);
  REQUIRE(p);
  TrainingDelays d(*p, seed, end);
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(d.next_ms());
  Stats s;
  for (double x : v) s.mean += x;
  s.mean /= n;
  for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
  s.sd = std::sqrt(s.sd / (n - 1));
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.p99 = v[static_cast<std::size_t>(0.99 * n)];
  return s;
}

}  // namespace

TEST_CASE("training profile fast: tens to a few hundred ms around 60", "[lab-plane][training]") {
  const Stats s = draw("fast", 7, 0);
  CHECK(s.mean == Approx(60).margin(2));
  CHECK(s.sd == Approx(25).margin(2));
  CHECK(s.min >= 20);
  CHECK(s.max <= 300);
}

TEST_CASE("training profile realistic: mean 5.7 s, p99 about 6.3 s", "[lab-plane][training]") {
  const Stats s = draw("realistic", 7, 3);
  CHECK(s.mean == Approx(5700).margin(15));
  CHECK(s.sd == Approx(258).margin(10));
  CHECK(s.p99 == Approx(6300).margin(60));
  CHECK(s.min >= 4000);
}

TEST_CASE("training profiles fixed, uniform and normal", "[lab-plane][training]") {
  const Stats f = draw("fixed:50", 1, 0, 100);
  CHECK(f.min == 50);
  CHECK(f.max == 50);
  const Stats u = draw("uniform:100:200", 1, 0);
  CHECK(u.min >= 100);
  CHECK(u.max <= 200);
  CHECK(u.mean == Approx(150).margin(2));
  CHECK(u.sd == Approx(100 / std::sqrt(12.0)).margin(1.5));
  const Stats n = draw("normal:1000:100", 1, 0);
  CHECK(n.mean == Approx(1000).margin(4));
  CHECK(n.sd == Approx(100).margin(4));
  const Stats clamped = draw("normal:5:50", 1, 0);
  CHECK(clamped.min == 0);   // about half the draws fall below 0 and are clamped to it
}

TEST_CASE("training delays: the same seed and end repeat, others differ", "[lab-plane][training]") {
  auto p = TrainingProfile::parse("fast");
  REQUIRE(p);
  TrainingDelays a(*p, 42, 5), b(*p, 42, 5), other_end(*p, 42, 6), other_seed(*p, 43, 5);
  std::vector<double> va, vb, ve, vs;
  for (int i = 0; i < 50; ++i) {
    va.push_back(a.next_ms());
    vb.push_back(b.next_ms());
    ve.push_back(other_end.next_ms());
    vs.push_back(other_seed.next_ms());
  }
  CHECK(va == vb);
  CHECK(va != ve);
  CHECK(va != vs);
}

TEST_CASE("training profile errors name the profile field", "[lab-plane][training]") {
  for (const char* bad : {"", "slow", "fixed", "fixed:", "fixed:x", "fixed:1:2", "uniform:5", "uniform:9:3",
                          "normal:1", "fixed:-1", "fixed:700000", "normal:nan:1", "uniform:1:2:3"}) {
    INFO(bad);
    auto p = TrainingProfile::parse(bad);
    REQUIRE_FALSE(p);
    CHECK(p.error().field == "profile");
  }
  auto ok = TrainingProfile::parse("normal:80:0");
  REQUIRE(ok);
  CHECK(TrainingDelays(*ok, 1, 0).next_ms() == 80);
}
