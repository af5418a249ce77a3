// links.verify's hello grace (coordinator/verify/hello_grace.hpp): the floor until hellos are seen,
// then 1.5 x the slowest recent confirmation, capped, and forgetting what left the window.
#include <catch2/catch.hpp>

#include "coordinator/verify/hello_grace.hpp"

using mixnet::coord::HelloGrace;

namespace {
constexpr std::int64_t kMs = 1'000'000;
}

TEST_CASE("hello grace: the floor before any hello confirmed a link, and for fast hellos", "[unit][verify]") {
  HelloGrace g;
  CHECK(g.grace_ns() == HelloGrace::kFloorNs);
  g.confirmed_after(0);
  g.confirmed_after(4 * kMs);
  CHECK(g.grace_ns() == HelloGrace::kFloorNs);   // 6 ms is below the floor
  g.confirmed_after(-5 * kMs);                   // a clock step backwards counts as 0
  CHECK(g.grace_ns() == HelloGrace::kFloorNs);
}

TEST_CASE("hello grace: follows the slowest recent hello, capped at the ceiling", "[unit][verify]") {
  HelloGrace g;
  g.confirmed_after(40 * kMs);
  CHECK(g.grace_ns() == 60 * kMs);
  g.confirmed_after(10 * kMs);
  CHECK(g.grace_ns() == 60 * kMs);   // the slowest in the window rules
  g.confirmed_after(150 * kMs);
  CHECK(g.grace_ns() == 225 * kMs);
  g.confirmed_after(1000 * kMs);
  CHECK(g.grace_ns() == HelloGrace::kCeilingNs);
}

TEST_CASE("hello grace: a slow hello stops counting once kWindow newer ones came", "[unit][verify]") {
  HelloGrace g;
  g.confirmed_after(100 * kMs);
  for (std::size_t i = 0; i + 1 < HelloGrace::kWindow; ++i) g.confirmed_after(1 * kMs);
  CHECK(g.grace_ns() == 150 * kMs);   // still in the window
  g.confirmed_after(1 * kMs);
  CHECK(g.grace_ns() == HelloGrace::kFloorNs);
}
