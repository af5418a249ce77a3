// The link verifier's typed verdict: the status each verdict is reported as, and when the
// identity counts as confirmed (measure.reconfig's identity_confirmed moment).
#include <catch2/catch.hpp>

#include "coordinator/verify/link_verdict.hpp"

using namespace mixnet::coord;

TEST_CASE("link verdict: reported as the item statuses", "[unit][links]") {
  CHECK(to_string(LinkVerdict::ok) == "ok");
  CHECK(to_string(LinkVerdict::miswired) == "miswired");
  CHECK(to_string(LinkVerdict::dark) == "dark");
  CHECK(to_string(LinkVerdict::one_sided) == "one-sided");
  CHECK(to_string(LinkVerdict::unreachable) == "unreachable");
  CHECK(to_string(LinkVerdict::failed) == "failed");
}

TEST_CASE("link verdict: the identity is confirmed when both directions are, at the later one", "[unit][links]") {
  PortVerdict v;
  v.verdict = LinkVerdict::ok;
  v.probe_out.confirmed_ns = 200;
  v.probe_in.confirmed_ns = 150;
  CHECK(v.identity_confirmed_ns() == 200);

  v.probe_in.confirmed_ns = 0;   // one way unconfirmed
  CHECK_FALSE(v.identity_confirmed_ns());

  v.probe_in.confirmed_ns = 150;
  v.verdict = LinkVerdict::one_sided;   // a verdict other than ok confirms nothing
  CHECK_FALSE(v.identity_confirmed_ns());
}
